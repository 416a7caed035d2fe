/** One loop's lane on the canvas: its epoll box and thread, ready count, busy bar, race badge, conns. */
import { C, maskShort } from '../theme';
import {
  busyText,
  connLabel,
  connOut,
  longBusy,
  loopCounts,
  loopFds,
  loopState,
  modLit,
  raceBadge,
} from './labels';
import { type ConnPlace, DOT_X, DOT_Y, HEAD_W, type LanePlace, NODE_H, NODE_W } from './layout';
import { box, type Ctx, text, textAlpha } from './paint';

/** What the current event is about: its loop's lane is lit, its fd's node is outlined. */
export interface Focus {
  fd: number | null;
  loop: number;
  seq: number;
}

/** The epoll box: loop name, thread, fds, state, counts, the ready-count dot and the busy bar. */
function drawHead(ctx: Ctx, lane: LanePlace): void {
  const l = lane.data.loop;
  const { x, y, h } = lane.head;
  const awake = l.state === 'awake';
  box(ctx, x, y, HEAD_W, h, 7, {
    fill: awake ? '#1d2733' : '#161c24',
    stroke: awake ? C.wake : C.line,
    lineWidth: awake ? 1.4 : 1,
  });
  text(`loop ${l.index}`, x + 12, y + 20, { size: 14, weight: 650, color: C.text });
  // Right-aligned short of the ready dot: a 5-digit thread id ran under it from x = 70.
  if (l.thread >= 0)
    text(`thread ${l.thread}`, x + HEAD_W - 38, y + 20, { size: 10.5, color: C.faint, align: 'right' });
  text(loopFds(l), x + 12, y + 37, { size: 11, color: C.dim, mono: true });
  text(loopState(l), x + 12, y + 54, { size: 11.5, color: awake ? C.wake : C.dim });
  text(loopCounts(l), x + 12, y + Math.min(h - 8, 71), { size: 10.5, color: C.faint, mono: true });
  ctx.beginPath();
  ctx.arc(x + DOT_X, y + DOT_Y, 11, 0, Math.PI * 2);
  ctx.fillStyle = awake ? C.wake : '#263040';
  ctx.fill();
  text(awake ? String(l.lastReady) : 'z', x + DOT_X, y + DOT_Y + 4, {
    size: 11,
    weight: 700,
    color: awake ? C.bg : C.dim,
    align: 'center',
  });
  if (longBusy(l.busy)) box(ctx, x, y + h - 4, HEAD_W, 4, 2, { fill: C.handler });
}

/** One connection: fd, interest mask badge, last operation, pending-output bar, bytes. */
function drawConn(ctx: Ctx, p: ConnPlace, lane: LanePlace, focus: Focus): void {
  const c = p.conn;
  const d = lane.data;
  const { x, y } = p;
  const focused = focus.loop === d.loop.index && c.fd === focus.fd;
  const alpha = c.phase === 'closed' ? 0.4 : 1;
  ctx.globalAlpha = alpha;
  textAlpha(alpha);
  box(ctx, x, y, NODE_W, NODE_H, 6, {
    fill: longBusy(c.busy) ? '#12303a' : '#19212b',
    stroke: focused
      ? C.accept
      : c.lost > 0
        ? C.lost
        : d.ready && d.loop.readyFds.includes(c.fd)
          ? C.wake
          : C.line,
    lineWidth: focused ? 2 : 1,
  });
  text(`fd ${c.fd}`, x + 8, y + 16, { size: 12, weight: 600, color: C.text });
  // A MOD in the last few events: the badge is lit so every flip of the mask is seen.
  const lit = modLit(c, focus.seq);
  const rw = (c.mask & 4) !== 0;
  box(ctx, x + NODE_W - 36, y + 5, 30, 16, 4, {
    fill: rw ? '#6b45b8' : undefined,
    stroke: lit ? '#f1e6ff' : C.mod,
    lineWidth: lit ? 2 : 1,
  });
  text(maskShort(c.mask), x + NODE_W - 21, y + 17, {
    size: 10.5,
    weight: 700,
    color: rw ? '#fff' : C.mod,
    align: 'center',
  });
  const op = connLabel(c, d.fromLog);
  text(op.text, x + 8, y + 33, { size: 10.5, color: op.color, mono: true });
  box(ctx, x + 8, y + 41, NODE_W - 16, 6, 3, { fill: '#0c0f13' });
  if (c.pending > 0) {
    const w = Math.max(2, ((NODE_W - 16) * c.pending) / Math.max(1, c.peakPending));
    box(ctx, x + 8, y + 41, w, 6, 3, { fill: c.lastWrite?.result === 'eagain' ? C.eagain : C.write });
  }
  const out = connOut(c);
  text(out.text, x + 8, y + 58, { size: 10, color: out.color, mono: true });
  ctx.globalAlpha = 1;
  textAlpha(1);
}

/** Draws one lane: background, epoll box, race badge, busy sentence, conns, `+N more`. */
export function drawLane(ctx: Ctx, lane: LanePlace, focus: Focus): void {
  const d = lane.data;
  box(ctx, lane.x, lane.y, lane.w, lane.h - 4, 9, {
    fill: focus.loop === d.loop.index ? '#141b24' : '#12171e',
    stroke: C.line,
  });
  drawHead(ctx, lane);
  const tx = lane.x + 8 + HEAD_W + 10;
  const badge = raceBadge(d);
  if (badge) text(badge.text, tx, lane.y + 18, { size: 11, color: badge.color, mono: true });
  const busy = longBusy(d.loop.busy);
  if (busy) text(busyText(busy), tx, lane.y + lane.h - 10, { size: 11, color: C.handler });
  for (const p of lane.conns) drawConn(ctx, p, lane, focus);
  if (lane.more > 0) {
    text(`+${lane.more} more`, lane.x + lane.w - 12, lane.y + lane.h - 10, {
      size: 11,
      color: C.dim,
      align: 'right',
    });
  }
}
