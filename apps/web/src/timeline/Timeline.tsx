/** The timeline: wheel zooms, shift+wheel pans, click jumps, drag scrubs, double-click fits. */
import { useEffect, useRef } from 'react';
import { seek, useStore } from '../store/store';
import { drawTimeline, GUTTER, type TimelineLayout, type TimelineView } from './draw-timeline';

/** Smallest visible span: 2 µs. */
const MIN_SPAN = 2000;

export function Timeline() {
  const canvas = useRef<HTMLCanvasElement>(null);
  const view = useRef<TimelineView | null>(null);
  /** Until the user zooms or pans, the whole trace is shown. */
  const fit = useRef(true);
  const layout = useRef<TimelineLayout | null>(null);
  const dragging = useRef(false);
  const buffer = useStore((s) => s.buffer);
  const version = useStore((s) => s.version);
  const position = useStore((s) => s.position);
  const total = useStore((s) => s.total);
  const raf = useRef(0);
  /** The canvas size in CSS pixels, kept by a ResizeObserver. */
  const size = useRef<{ w: number; h: number } | undefined>(undefined);

  // A new trace: fit it again.
  useEffect(() => {
    view.current = null;
    fit.current = true;
  }, [buffer]);

  const redraw = () => {
    // One draw per frame: later requests in the same frame share it.
    if (raf.current) return;
    raf.current = requestAnimationFrame(() => {
      raf.current = 0;
      const c = canvas.current;
      if (!c) return;
      const s = useStore.getState();
      const b = s.buffer;
      const span = Math.max(MIN_SPAN, b.lastT - b.firstT);
      if (!view.current || fit.current) view.current = { t0: b.firstT, t1: b.firstT + span };
      const v = view.current;
      // The cursor must stay visible while playing or following.
      if (s.position > 0 && (s.playing || s.following)) {
        const t = b.timeAt(s.position - 1);
        const w = v.t1 - v.t0;
        if (t > v.t1 || t < v.t0) {
          v.t0 = s.following ? t - w * 0.9 : t - w * 0.1;
          v.t1 = v.t0 + w;
        }
      }
      layout.current = drawTimeline(c, b, v, s.position, size.current);
    });
  };

  useEffect(redraw, [version, position, total, buffer]);
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
