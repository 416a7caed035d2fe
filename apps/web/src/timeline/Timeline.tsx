/**
 * The timeline: wheel zooms, shift+wheel pans, click jumps, drag scrubs, double-click fits.
 * Drawn once per animation frame from the store's frame loop (outside React), when the trace,
 * the cursor, the view or the size changed.
 */
import { useEffect, useRef } from 'react';
import { type FrameView, onFrame, seek, useStore } from '../store/store';
import { drawTimeline, GUTTER, type TimelineLayout, type TimelineView } from './draw-timeline';

/** Smallest visible span: 2 µs. */
const MIN_SPAN = 2000;
/**
 * Fitting a trace that grows (following a live run), the view holds this much more than the
 * trace, so that it is not redrawn whole in every frame but once each time the trace outgrows it.
 * A second after the trace stopped growing, the view fits it exactly again.
 */
const GROW_ROOM = 1.25;
const GROWING_MS = 1000;

export function Timeline() {
  const canvas = useRef<HTMLCanvasElement>(null);
  const view = useRef<TimelineView | null>(null);
  /** Until the user zooms or pans, the whole trace is shown. */
  const fit = useRef(true);
  const layout = useRef<TimelineLayout | null>(null);
  const dragging = useRef(false);
  /** The canvas size in CSS pixels, kept by a ResizeObserver. */
  const size = useRef<{ w: number; h: number } | undefined>(undefined);
  /** The user changed the view (zoom, pan, fit) or the size changed: draw at the next frame. */
  const dirty = useRef(true);
  /** What the canvas shows: trace, its length, cursor, view, size. */
  const drawn = useRef<unknown[]>([]);

  const redraw = () => {
    dirty.current = true;
  };

  useEffect(() => {
    let shown: unknown = null;
    let length = 0;
    let grewAt = 0;
    return onFrame((f: FrameView, now: number) => {
      const c = canvas.current;
      if (!c) return;
      const b = f.buffer;
      // A new trace: fit it again.
      if (b !== shown) {
        shown = b;
        view.current = null;
        fit.current = true;
      }
      if (b.length !== length) {
        length = b.length;
        grewAt = now;
      }
      const growing = f.following && now - grewAt < GROWING_MS;
      const span = Math.max(MIN_SPAN, b.lastT - b.firstT);
      const old = view.current;
      if (!old || fit.current) {
        const fits = old && old.t0 === b.firstT && b.lastT <= old.t1;
        const exact = old && old.t1 === b.firstT + span;
        if (!(growing ? fits : fits && exact)) {
          view.current = { t0: b.firstT, t1: b.firstT + span * (growing ? GROW_ROOM : 1) };
        }
      }
      const v = view.current!;
      const position = f.model.applied;
      const s = useStore.getState();
      // The cursor must stay visible while playing or following.
      if (position > 0 && (s.playing || f.following)) {
        const t = b.timeAt(position - 1);
        const w = v.t1 - v.t0;
        if (t > v.t1 || t < v.t0) {
          v.t0 = f.following ? t - w * 0.9 : t - w * 0.1;
          v.t1 = v.t0 + w;
        }
      }
      const key = [
        b,
        b.length,
        position,
        v.t0,
        v.t1,
        size.current?.w,
        size.current?.h,
        window.devicePixelRatio,
      ];
      if (!dirty.current && key.every((x, i) => x === drawn.current[i])) return;
      dirty.current = false;
      drawn.current = key;
      layout.current = drawTimeline(c, b, v, position, size.current);
    });
  }, []);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const ro = new ResizeObserver((entries) => {
      const r = entries[entries.length - 1]?.contentRect;
      if (r) size.current = { w: r.width, h: r.height };
      redraw();
    });
    ro.observe(c);
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const v = view.current;
      const L = layout.current;
      if (!v || !L) return;
      const w = v.t1 - v.t0;
      fit.current = false;
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        const d = ((e.shiftKey ? e.deltaY : e.deltaX) / c.clientWidth) * w;
        v.t0 += d;
        v.t1 += d;
      } else {
        const at = L.t(e.offsetX);
        const k = Math.exp(e.deltaY * 0.0015);
        const nw = Math.max(MIN_SPAN, w * k);
        v.t0 = at - ((at - v.t0) / w) * nw;
        v.t1 = v.t0 + nw;
      }
      redraw();
    };
    c.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      ro.disconnect();
      c.removeEventListener('wheel', onWheel);
    };
  }, []);

  const jumpTo = (x: number) => {
    const L = layout.current;
    if (!L || x < GUTTER) return;
    const b = useStore.getState().buffer;
    const i = b.indexAtTime(L.t(x));
    useStore.setState({ playing: false, following: false });
    seek(Math.min(b.length, i + 1));
  };

  return (
    <div className="timeline" data-testid="timeline">
      <canvas
        ref={canvas}
        onMouseDown={(e) => {
          dragging.current = true;
          jumpTo(e.nativeEvent.offsetX);
        }}
        onMouseMove={(e) => {
          if (dragging.current) jumpTo(e.nativeEvent.offsetX);
        }}
        onMouseUp={() => {
          dragging.current = false;
        }}
        onMouseLeave={() => {
          dragging.current = false;
        }}
        onDoubleClick={() => {
          fit.current = true;
          redraw();
        }}
      />
    </div>
  );
}
