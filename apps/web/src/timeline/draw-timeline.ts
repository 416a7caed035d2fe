/**
 * Draws the timeline on a canvas: one swimlane per loop (time blocked in epoll_wait as a dim
 * band, every event a tick colored by kind) and a lane for clients. Only the visible time range
 * is touched, and at most a bounded number of events per frame (denser ranges are sampled).
 */
import * as d3 from 'd3';
import type { TraceBuffer } from '../model/trace-buffer';
import { C, fmtNs, isTallKind, PALETTE } from '../theme';

export const GUTTER = 64;
const AXIS_H = 18;
/** Events drawn per frame at most; beyond this the visible range is sampled evenly. */
const MAX_TICKS = 60_000;

export interface TimelineView {
  t0: number;
  t1: number;
}

export interface TimelineLayout {
  laneH: number;
  lanes: number;
  x: (t: number) => number;
  t: (x: number) => number;
}

export function layoutFor(buffer: TraceBuffer, view: TimelineView, w: number, h: number): TimelineLayout {
  const lanes = buffer.loops + 1;
  const laneH = Math.max(8, (h - AXIS_H) / lanes);
  const scale = d3
    .scaleLinear()
    .domain([view.t0, view.t1])
    .range([GUTTER, w - 6]);
  return { laneH, lanes, x: (t) => scale(t), t: (x) => scale.invert(x) };
}

function drawWaits(
  ctx: CanvasRenderingContext2D,
  buffer: TraceBuffer,
  L: TimelineLayout,
  view: TimelineView,
): void {
  ctx.fillStyle = C.wait;
  // The scale inlined: x = a + t * k.
  const k = (L.x(view.t1) - L.x(view.t0)) / Math.max(1, view.t1 - view.t0);
  const a = L.x(view.t0) - view.t0 * k;
  for (let loop = 0; loop < buffer.waits.length; loop++) {
    const w = buffer.waits[loop]!;
    const y = loop * L.laneH + L.laneH * 0.28;
    const hh = L.laneH * 0.44;
    const starts = w.start.data;
    const ends = w.end.data;
    let lo = 0;
    let hi = w.start.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! < view.t0) lo = mid + 1;
      else hi = mid;
    }
    // Waits closer than a pixel are merged into one rectangle.
    let runX0 = -1;
    let runX1 = -1;
    // Far more waits than pixels: sample them (a band of dense waits stays a band).
    let last = lo;
    let top = w.start.length;
    while (last < top) {
      const mid = (last + top) >>> 1;
      if (starts[mid]! <= view.t1) last = mid + 1;
      else top = mid;
    }
    const stride = Math.max(1, Math.floor((last - lo) / (4 * (L.x(view.t1) - GUTTER))));
    for (let i = Math.max(0, lo - 1); i < last; i += stride) {
      const s = starts[i]!;
      const e = Number.isNaN(ends[i]!) ? buffer.lastT : ends[i]!;
      const x0 = Math.max(GUTTER, a + s * k);
      const x1 = a + e * k;
      if (x1 < GUTTER) continue;
      if (runX0 >= 0 && x0 <= runX1 + 1) {
        if (x1 > runX1) runX1 = x1;
        continue;
      }
      if (runX0 >= 0) ctx.fillRect(runX0, y, Math.max(1, runX1 - runX0), hh);
      runX0 = x0;
      runX1 = x1;
    }
    if (runX0 >= 0) ctx.fillRect(runX0, y, Math.max(1, runX1 - runX0), hh);
  }
}

function drawTicks(
  ctx: CanvasRenderingContext2D,
  buffer: TraceBuffer,
  L: TimelineLayout,
  view: TimelineView,
  position: number,
): void {
  const from = Math.max(0, buffer.indexAtTime(view.t0) - 1);
  const to = Math.min(buffer.length, buffer.indexAtTime(view.t1) + 1);
  const stride = Math.max(1, Math.ceil((to - from) / MAX_TICKS));
  // One pending tick per lane: its pixel column, best palette index, whether tall or future.
  const px = new Float64Array(L.lanes).fill(-10);
  const best = new Int8Array(L.lanes);
  const tall = new Uint8Array(L.lanes);
  const future = new Uint8Array(L.lanes);
  const flush = (lane: number) => {
    if (px[lane]! < 0) return;
    ctx.globalAlpha = future[lane] ? 0.3 : 1;
    ctx.fillStyle = PALETTE[best[lane]!]!;
    const y = lane * L.laneH + (tall[lane] ? 2 : L.laneH * 0.2);
    ctx.fillRect(px[lane]!, y, 1.5, tall[lane] ? L.laneH - 4 : L.laneH * 0.6);
  };
  const events = buffer.events;
  const times = buffer.times.data;
  const colors = buffer.colors.data;
  // The scale inlined: x = a + t * k.
  const k = (L.x(view.t1) - L.x(view.t0)) / Math.max(1, view.t1 - view.t0);
  const a = L.x(view.t0) - view.t0 * k;
  const clientLane = L.lanes - 1;
  for (let i = from; i < to; i += stride) {
    const ev = events[i]!;
    const lane = ev.loop < 0 ? clientLane : Math.min(ev.loop, clientLane - 1);
    const x = Math.round(a + times[i]! * k);
    const c = colors[i]!;
    const isFuture = i >= position ? 1 : 0;
    if (x === px[lane] && isFuture === future[lane]) {
      if (c > best[lane]!) best[lane] = c;
      if (!tall[lane] && isTallKind(ev.kind)) tall[lane] = 1;
      continue;
    }
    flush(lane);
    px[lane] = x;
    best[lane] = c;
    tall[lane] = isTallKind(ev.kind) ? 1 : 0;
    future[lane] = isFuture;
  }
  for (let lane = 0; lane < L.lanes; lane++) flush(lane);
  ctx.globalAlpha = 1;
}

function drawAxis(
  ctx: CanvasRenderingContext2D,
  L: TimelineLayout,
  view: TimelineView,
  w: number,
  h: number,
): void {
  const scale = d3
    .scaleLinear()
    .domain([view.t0, view.t1])
    .range([GUTTER, w - 6]);
  ctx.fillStyle = C.dim;
  ctx.strokeStyle = '#222a34';
  ctx.font = '10px ui-monospace, monospace';
  ctx.textAlign = 'center';
  const base = view.t0;
  for (const t of scale.ticks(Math.max(2, Math.floor(w / 110)))) {
    const x = Math.round(L.x(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, h - AXIS_H);
    ctx.stroke();
    ctx.fillText(fmtNs(t - Math.min(base, 0)), x, h - 5);
  }
}

function drawLabels(ctx: CanvasRenderingContext2D, L: TimelineLayout): void {
  ctx.fillStyle = '#0c0f13';
  ctx.fillRect(0, 0, GUTTER - 2, L.laneH * L.lanes);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < L.lanes; i++) {
    ctx.fillStyle = C.dim;
    ctx.fillText(i === L.lanes - 1 ? 'clients' : `loop ${i}`, 8, i * L.laneH + L.laneH / 2);
    ctx.fillStyle = '#1b222b';
    ctx.fillRect(0, (i + 1) * L.laneH - 0.5, 10_000, 1);
  }
  ctx.textBaseline = 'alphabetic';
}

/** The trace drawn once per view and length: with every tick lit (past) and dimmed (future). */
interface Layers {
  key: string;
  buffer: TraceBuffer;
  past: HTMLCanvasElement | null;
  future: HTMLCanvasElement | null;
}

const cache = new WeakMap<HTMLCanvasElement, Layers>();

function paintLayer(
  buffer: TraceBuffer,
  view: TimelineView,
  L: TimelineLayout,
  w: number,
  h: number,
  dpr: number,
  lit: boolean,
): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = Math.round(w * dpr);
  c.height = Math.round(h * dpr);
  const ctx = c.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = '#0c0f13';
  ctx.fillRect(0, 0, w, h);
  drawAxis(ctx, L, view, w, h);
  drawWaits(ctx, buffer, L, view);
  drawTicks(ctx, buffer, L, view, lit ? buffer.length + 1 : 0);
  return c;
}

/**
 * Draws everything; `position` is the cursor (events applied); `size` in CSS pixels. The ticks
 * are drawn into two cached layers, redrawn only when the view or the trace changes: a frame of
 * playback copies the lit layer left of the cursor and the dimmed one right of it.
 */
export function drawTimeline(
  canvas: HTMLCanvasElement,
  buffer: TraceBuffer,
  view: TimelineView,
  position: number,
  size?: { w: number; h: number },
): TimelineLayout {
  const dpr = window.devicePixelRatio || 1;
  // The size from a ResizeObserver: reading clientWidth here would force a layout every frame.
  const w = size?.w ?? canvas.clientWidth;
  const h = size?.h ?? canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d')!;
  const L = layoutFor(buffer, view, w, h);
  const key = `${view.t0}|${view.t1}|${buffer.length}|${w}|${h}|${dpr}`;
  let layers = cache.get(canvas);
  if (!layers || layers.key !== key || layers.buffer !== buffer) {
    layers = { key, buffer, past: null, future: null };
    cache.set(canvas, layers);
  }
  const cursorX =
    position > 0 ? Math.max(0, Math.min(w, Math.round(L.x(buffer.timeAt(position - 1))) + 1)) : 0;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  if (cursorX > 0) {
    layers.past ??= paintLayer(buffer, view, L, w, h, dpr, true);
    const sw = Math.round(cursorX * dpr);
    ctx.drawImage(layers.past, 0, 0, sw, canvas.height, 0, 0, sw, canvas.height);
  }
  if (cursorX < w) {
    layers.future ??= paintLayer(buffer, view, L, w, h, dpr, false);
    const sx = Math.round(cursorX * dpr);
    const sw = canvas.width - sx;
    ctx.drawImage(layers.future, sx, 0, sw, canvas.height, sx, 0, sw, canvas.height);
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  drawLabels(ctx, L);
  if (position > 0) {
    const x = Math.round(L.x(buffer.timeAt(position - 1))) + 0.5;
    ctx.strokeStyle = C.accept;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, h - AXIS_H);
    ctx.stroke();
    ctx.lineWidth = 1;
  }
  return L;
}
