/** The stage: loops, listeners, connections and clients, drawn by d3 from the current model. */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { EVENTS_PER_SECOND_AT_1X, useStore } from '../store/store';

/** Stage redraws per second at most while playing faster than the eye can follow. */
const STAGE_HZ = 15;

import type { Pulse } from './draw-lane';
import { drawStage } from './draw-stage';
import { stageData } from './stage-data';

function useSize(ref: React.RefObject<HTMLElement | null>): { w: number; h: number } {
  const [size, setSize] = useState({ w: 800, h: 500 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize({ w: el.clientWidth, h: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

/** A ring that expands and fades over the stage: an HTML element, so the compositor animates it. */
function pulseIn(layer: HTMLElement | null): Pulse | null {
  if (!layer) return null;
  return (x, y) => {
    if (layer.childElementCount > 16) return;
    const el = document.createElement('div');
    el.className = 'pulse';
    el.style.left = `${x}px`;
    el.style.top = `${y}px`;
    el.addEventListener('animationend', () => el.remove());
    layer.appendChild(el);
  };
}

export function Stage() {
  const pulses = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const svg = useRef<SVGSVGElement>(null);
  const size = useSize(box);
  const version = useStore((s) => s.version);
  const model = useStore((s) => s.model);
  const header = useStore((s) => s.header);
  const buffer = useStore((s) => s.buffer);
  const position = useStore((s) => s.position);
  const status = useStore((s) => s.status);

  const lastDraw = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useLayoutEffect(() => {
    if (version < 0) return;
    const pulse = pulseIn(pulses.current);
    const draw = () => {
      timer.current = null;
      lastDraw.current = performance.now();
      const s = useStore.getState();
      if (!svg.current) return;
      const ev = s.position > 0 ? s.buffer.events[s.position - 1] : undefined;
      const fd = ev && 'fd' in ev && typeof ev.fd === 'number' ? ev.fd : null;
      drawStage(
        svg.current,
        stageData(s.model, s.header?.mode ?? '—', fd, ev?.loop ?? -2),
        size.w,
        size.h,
        pulse,
      );
    };
    // Several events a frame cannot be followed one by one: the stage then redraws at most
    // STAGE_HZ times a second and the timeline and log carry the pace.
    const s = useStore.getState();
    const fast = s.following || (s.playing && s.speed * EVENTS_PER_SECOND_AT_1X > 60);
    const wait = 1000 / STAGE_HZ - (performance.now() - lastDraw.current);
    if (!fast || wait <= 0) draw();
    else timer.current ??= setTimeout(draw, wait);
  }, [version, model, header, buffer, position, size]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const empty = model.loops.length === 0;
  return (
    <div className="stage" ref={box} data-testid="stage">
      <svg ref={svg} role="img" aria-label="The event loops" />
      <div className="pulses" ref={pulses} />
      {empty && (
        <div className="empty">
          <div>
            <h2>{buffer.length > 0 ? 'Press play or step forward' : 'Nothing to show yet'}</h2>
            <div>
              {buffer.length > 0
                ? `${buffer.length.toLocaleString()} events loaded. Space plays, → steps one event.`
                : (status.message ??
                  'Start a simulation, connect to a live server, or drop a recording (.ndjson) or an strace -f -tt log anywhere on the page.')}
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
