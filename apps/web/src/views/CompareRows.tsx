/**
 * A side's loops as rows over time: every wake-up (gold when the listener was in the ready list)
 * on top, every accept attempt below it (won, EAGAIN, declined). The time axis spans the accepts,
 * so a herd shows as columns: every loop wakes for the same connection, one wins.
 */
import type { TraceEvent } from '@loopscope/trace';
import { useEffect, useMemo, useRef } from 'react';
import { C, fmtNs } from '../theme';

const ROW_H = 30;
const GUTTER = 52;
const AXIS_H = 16;

type MarkKind = 'wake-listener' | 'wake' | 'won' | 'eagain' | 'declined' | 'error';

interface Marks {
  loops: number;
  /** Per loop: times and kinds of its marks. */
  rows: { t: number[]; kind: MarkKind[] }[];
  t0: number;
  t1: number;
}

const COLOR: Record<MarkKind, string> = {
  'wake-listener': C.accept,
  wake: '#4b5b70',
  won: C.accept,
  eagain: C.eagain,
  declined: '#8592a3',
  error: C.lost,
};

function collect(events: TraceEvent[], loops: number): Marks {
  const listeners = new Set<number>();
  for (const e of events) {
    if (e.kind === 'listener') listeners.add(e.fd);
    else if (e.kind === 'accept') listeners.add(e.listenerFd);
  }
  const rows: Marks['rows'] = [];
  const row = (loop: number) => {
    while (rows.length <= loop) rows.push({ t: [], kind: [] });
    return rows[loop]!;
  };
  for (let i = 0; i < loops; i++) row(i);
  let a0 = Number.POSITIVE_INFINITY;
  let a1 = Number.NEGATIVE_INFINITY;
  let w0 = Number.POSITIVE_INFINITY;
  let w1 = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    if (e.loop < 0) continue;
    if (e.kind === 'wait-return' && e.n > 0) {
      let forListener = false;
      for (let i = 0; i < e.ready.length; i += 2) if (listeners.has(e.ready[i]!)) forListener = true;
      const r = row(e.loop);
      r.t.push(e.t);
      r.kind.push(forListener ? 'wake-listener' : 'wake');
      w0 = Math.min(w0, e.t);
      w1 = Math.max(w1, e.t);
    } else if (e.kind === 'accept') {
      const r = row(e.loop);
      r.t.push(e.t);
      r.kind.push(e.outcome === 'won' ? 'won' : e.outcome);
      a0 = Math.min(a0, e.t);
      a1 = Math.max(a1, e.t);
    }
  }
  const [s, f] = Number.isFinite(a0) ? [a0, a1] : [w0, w1];
  const pad = Math.max(1000, (f - s) * 0.03);
  return {
    loops: rows.length,
    rows,
    t0: Number.isFinite(s) ? s - pad : 0,
    t1: Number.isFinite(f) ? f + pad : 1,
  };
}

function draw(canvas: HTMLCanvasElement, m: Marks): void {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = '#0c0f13';
  ctx.fillRect(0, 0, w, h);
  const k = (w - GUTTER - 6) / Math.max(1, m.t1 - m.t0);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (let loop = 0; loop < m.loops; loop++) {
    const y = loop * ROW_H;
    ctx.fillStyle = '#141a21';
    ctx.fillRect(GUTTER, y + 2, w - GUTTER - 4, ROW_H - 4);
    ctx.fillStyle = C.dim;
    ctx.fillText(`loop ${loop}`, 6, y + ROW_H / 2);
    const r = m.rows[loop]!;
    for (let i = 0; i < r.t.length; i++) {
      const t = r.t[i]!;
      if (t < m.t0 || t > m.t1) continue;
      const x = GUTTER + (t - m.t0) * k;
      const kind = r.kind[i]!;
      ctx.fillStyle = COLOR[kind];
      if (kind === 'wake' || kind === 'wake-listener') ctx.fillRect(x, y + 4, 1, ROW_H / 2 - 5);
      else ctx.fillRect(x - 1, y + ROW_H / 2, kind === 'won' ? 3 : 2, ROW_H / 2 - 4);
    }
  }
  ctx.fillStyle = C.dim;
  ctx.font = '10px ui-monospace, monospace';
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  ctx.fillText('0', GUTTER, h - 4);
  ctx.textAlign = 'right';
  ctx.fillText(`${fmtNs(m.t1 - m.t0)} (accept window)`, w - 6, h - 4);
  ctx.textAlign = 'left';
}

/** The wake/accept rows of one side of the compare view. */
export function CompareRows({
  events,
  loops,
  testId,
}: {
  events: TraceEvent[];
  loops: number;
  testId: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const marks = useMemo(() => collect(events, loops), [events, loops]);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    draw(c, marks);
    const ro = new ResizeObserver(() => draw(c, marks));
    ro.observe(c);
    return () => ro.disconnect();
  }, [marks]);
  return (
    <div className="compare-rows" data-testid={testId} data-loops={marks.loops}>
      <canvas
        ref={canvas}
        style={{ width: '100%', height: marks.loops * ROW_H + AXIS_H, display: 'block' }}
      />
      <div className="legend">
        <span style={{ color: C.accept }}>┃ woke for the listener</span>
        <span style={{ color: '#6b7d94' }}>┃ other wake-up</span>
        <span style={{ color: C.accept }}>▮ accept won</span>
        <span style={{ color: C.eagain }}>▮ accept EAGAIN</span>
        <span style={{ color: C.dim }}>▮ declined</span>
      </div>
    </div>
  );
}
