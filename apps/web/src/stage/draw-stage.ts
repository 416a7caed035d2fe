/**
 * Draws the stage on a canvas from plain values: the top line (mode, EAGAIN spin, bytes lost,
 * the latest accept race), the listeners linked to every loop that watches them, one lane per
 * loop and the clients. (The wake pulses are rings over the canvas: ./pulses.ts.)
 */
import { C } from '../theme';
import { drawLane, type Focus } from './draw-lane';
import {
  clientBytes,
  clientsTitle,
  clientTitle,
  clientVerdict,
  listenerAddr,
  listenerLoops,
  raceText,
  topItems,
} from './labels';
import { RIGHT, type StageLayout, TOP } from './layout';
import { box, type Ctx, flushText, text, textThen } from './paint';
import type { StageData } from './stage-data';

function drawTop(ctx: Ctx, d: StageData, width: number): void {
  let x = 14;
  for (const it of topItems(d)) {
    const after = textThen(ctx, `${it.k} `, x, 24, { size: 12.5, color: C.dim });
    text(it.v, after, 24, { size: 12.5, weight: 600, color: it.color, mono: true });
    // Spaced from the label lengths, not from measured values: the items stay put as numbers grow.
    x += Math.max(130, (it.k.length + it.v.length + 1) * 7.4 + 26);
  }
  text(raceText(d), width - 14, 24, { size: 12.5, color: C.accept, align: 'right' });
}

function drawListeners(ctx: Ctx, L: StageLayout): void {
  for (const p of L.listeners) {
    const l = p.listener;
    box(ctx, p.x, p.y, p.w, p.h, 7, { fill: '#1f1b10', stroke: C.accept });
    text(`listener fd ${l.fd}`, p.x + 10, p.y + 20, { size: 12, weight: 600, color: C.accept });
    // Address, then loops and EPOLLEXCLUSIVE on a second line: on one line they ran past the box.
    text(listenerAddr(l), p.x + 10, p.y + 38, { size: 10.5, color: C.dim, mono: true });
    text(listenerLoops(l), p.x + 10, p.y + 53, { size: 10.5, color: C.dim, mono: true });
  }
  // The links of the latest race last, so that they are on top where links cross.
  for (const lit of [false, true]) {
    ctx.strokeStyle = lit ? C.accept : '#3a4657';
    ctx.lineWidth = lit ? 2 : 1.2;
    ctx.beginPath();
    for (const k of L.links) {
      if (k.lit !== lit) continue;
      ctx.moveTo(k.x0, k.y0);
      ctx.bezierCurveTo(k.x0 + 20, k.y0, k.x1 - 20, k.y1, k.x1, k.y1);
    }
    ctx.stroke();
  }
}

function drawClients(ctx: Ctx, d: StageData, L: StageLayout, x: number, top: number): void {
  text(clientsTitle(d), x, top + 12, { size: 11, color: C.dim });
  for (const p of L.clients) {
    const c = p.client;
    ctx.globalAlpha = c.closed ? 0.55 : 1;
    box(ctx, p.x, p.y, p.w, p.h, 6, {
      fill: '#17141f',
      stroke: c.mismatches ? C.lost : c.error ? C.eagain : '#2e2840',
    });
    ctx.globalAlpha = 1;
    text(clientTitle(c), p.x + 8, p.y + 15, { size: 11.5, weight: 600, color: C.client });
    const after = textThen(ctx, clientBytes(c), p.x + 8, p.y + 31, { size: 10.5, color: C.dim, mono: true });
    const v = clientVerdict(c);
    text(v.text, after, p.y + 31, { size: 10.5, color: v.color, mono: true });
  }
}

/**
 * Draws the whole stage into `ctx` (already scaled to CSS pixels and cleared), laid out by `L`.
 */
export function drawStage(ctx: Ctx, d: StageData, L: StageLayout, focus: Focus): void {
  ctx.textBaseline = 'alphabetic';
  drawTop(ctx, d, L.width);
  drawListeners(ctx, L);
  for (const lane of L.lanes) drawLane(ctx, lane, focus);
  drawClients(ctx, d, L, L.width - RIGHT + 10, TOP);
  flushText(ctx);
}
