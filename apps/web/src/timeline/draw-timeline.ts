/**
 * Draws the timeline on a canvas: one swimlane per loop (time blocked in epoll_wait as a dim
 * band, every event a tick colored by kind) and a lane for clients. The bands and ticks live in
 * cached layers (./layers.ts) that grow with the trace; a frame copies them around the cursor
 * (lit left of it, dimmed right of it) and draws the lane labels and the cursor.
 */
import * as d3 from 'd3';
import type { TraceBuffer } from '../model/trace-buffer';
import { C, fmtNs } from '../theme';
import { TimelineLayers } from './layers';

export const GUTTER = 64;
const AXIS_H = 18;

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
  ctx.lineWidth = 1;
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

/** The lane labels in the gutter (`withText`) and the lines between lanes. */
function drawLabels(ctx: CanvasRenderingContext2D, L: TimelineLayout, withText: boolean): void {
  if (withText) {
    ctx.fillStyle = '#0c0f13';
    ctx.fillRect(0, 0, GUTTER - 2, L.laneH * L.lanes);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = C.dim;
    for (let i = 0; i < L.lanes; i++) {
      ctx.fillText(i === L.lanes - 1 ? 'clients' : `loop ${i}`, 8, i * L.laneH + L.laneH / 2);
    }
    ctx.textBaseline = 'alphabetic';
  }
  ctx.fillStyle = '#1b222b';
  for (let i = 0; i < L.lanes; i++) ctx.fillRect(0, (i + 1) * L.laneH - 0.5, 10_000, 1);
}

interface Shown {
  layers: TimelineLayers;
  /** The canvas's pixel size and the cursor's column when it was last drawn (-1: never). */
  width: number;
  height: number;
  cursorX: number;
}

const cache = new WeakMap<HTMLCanvasElement, Shown>();

/**
 * Draws columns [x0, x1) of the timeline (CSS pixels) from the layers: the bands and axis, the
 * ticks lit left of the cursor and dimmed right of it, the lane separators, the lane labels if
 * the gutter is in range, and the cursor.
 */
function compose(
  ctx: CanvasRenderingContext2D,
  layers: TimelineLayers,
  L: TimelineLayout,
  dpr: number,
  x0: number,
  x1: number,
  cursorX: number,
  cursorLine: number | null,
  h: number,
): void {
  const W = ctx.canvas.width;
  const H = ctx.canvas.height;
  const d0 = Math.max(0, Math.floor(x0 * dpr));
  const d1 = Math.min(W, Math.ceil(x1 * dpr));
  if (d1 <= d0) return;
  const cut = Math.min(d1, Math.max(d0, Math.round(cursorX * dpr)));
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(layers.base, d0, 0, d1 - d0, H, d0, 0, d1 - d0, H);
  if (cut > d0) ctx.drawImage(layers.ticks, d0, 0, cut - d0, H, d0, 0, cut - d0, H);
  if (cut < d1) {
    // Events after the cursor: dimmed.
    ctx.globalAlpha = 0.3;
    ctx.drawImage(layers.ticks, cut, 0, d1 - cut, H, cut, 0, d1 - cut, H);
    ctx.globalAlpha = 1;
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.save();
  ctx.beginPath();
  ctx.rect(d0 / dpr, 0, (d1 - d0) / dpr, h);
  ctx.clip();
  drawLabels(ctx, L, d0 / dpr < GUTTER);
  if (cursorLine !== null) {
    ctx.strokeStyle = C.accept;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(cursorLine, 0);
    ctx.lineTo(cursorLine, h - AXIS_H);
    ctx.stroke();
  }
  ctx.restore();
}

/**
 * Draws the timeline; `position` is the cursor (events applied); `size` in CSS pixels. The
 * layers are repainted only when the view, the size, the lanes or the trace change, and grown by
 * the events that arrived since the last frame; only the columns that changed (new ticks, the
 * open waits, the cursor's old and new place) are copied to the canvas.
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
  const key = `${view.t0}|${view.t1}|${w}|${h}|${dpr}|${L.lanes}`;
  let shown = cache.get(canvas);
  if (!shown) {
    shown = { layers: new TimelineLayers(), width: -1, height: -1, cursorX: -1 };
    cache.set(canvas, shown);
  }
  const layers = shown.layers;
  if (layers.key !== key || layers.buffer !== buffer) {
    // The scale inlined: x = a + t * k.
    const k = (L.x(view.t1) - L.x(view.t0)) / Math.max(1, view.t1 - view.t0);
    layers.reset(key, buffer, {
      a: L.x(view.t0) - view.t0 * k,
      k,
      t0: view.t0,
      t1: view.t1,
      w,
      h,
      dpr,
      laneH: L.laneH,
      lanes: L.lanes,
      gutter: GUTTER,
      axis: (c) => drawAxis(c, L, view, w, h),
    });
  } else {
    layers.update();
  }
  const cursorX =
    position > 0 ? Math.max(0, Math.min(w, Math.round(L.x(buffer.timeAt(position - 1))) + 1)) : 0;
  const line = position > 0 ? Math.round(L.x(buffer.timeAt(position - 1))) + 0.5 : null;
  const changed = layers.takeChanged();
  const whole = changed.all || shown.width !== canvas.width || shown.height !== canvas.height;
  if (whole) {
    compose(ctx, layers, L, dpr, 0, w, cursorX, line, h);
  } else {
    let x0 = changed.x0;
    let x1 = changed.x1;
    if (cursorX !== shown.cursorX) {
      // The old and the new cursor, and the ticks between them that changed side.
      x0 = Math.min(x0, cursorX, shown.cursorX) - 2;
      x1 = Math.max(x1, cursorX, shown.cursorX) + 2;
    }
    if (x0 < x1) compose(ctx, layers, L, dpr, x0 - 1, x1 + 1, cursorX, line, h);
  }
  shown.width = canvas.width;
  shown.height = canvas.height;
  shown.cursorX = cursorX;
  return L;
}
