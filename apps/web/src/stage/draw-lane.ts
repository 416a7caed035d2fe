/** One loop's lane: its epoll instance and thread, its wake pulse, its connections. */
import * as d3 from 'd3';
import './d3-quiet';
import type { ConnState } from '../model/types';
import { C, fmtBytes, fmtNs, maskShort } from '../theme';
import type { LaneData } from './stage-data';

export interface LaneGeom {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Starts a wake pulse centred at stage coordinates (drawn on a composited HTML layer). */
export type Pulse = (x: number, y: number) => void;

type G = d3.Selection<SVGGElement, LaneData, null, undefined>;
type Prev = { wake?: number };

const HEAD_W = 176;
const NODE_W = 104;
const NODE_H = 62;
const GAP = 8;

type AnyG = d3.Selection<SVGGElement, unknown, null, undefined>;

/** The child `tag.cls` of `parent`, created on first use (keeps d3's update-in-place cheap). */
function ensure<T extends d3.BaseType>(
  parent: AnyG | G,
  tag: string,
  cls: string,
): d3.Selection<T, unknown, null, undefined> {
  const p = parent as unknown as AnyG;
  let s = p.select<T>(`:scope > ${tag}.${cls}`);
  if (s.empty()) s = p.append<T>(tag).attr('class', cls);
  return s;
}

function raceBadge(d: LaneData): { text: string; color: string } | null {
  const r = d.race;
  if (!r) return null;
  const tries = r.tries > 1 ? ` ×${r.tries}` : '';
  switch (r.outcome) {
    case 'won':
      return { text: `accept: WON${tries}`, color: C.accept };
    case 'declined':
      return { text: `declined${tries}${r.reason ? `: ${r.reason}` : ''}`, color: C.dim };
    case 'eagain':
      return { text: `accept → EAGAIN${tries}`, color: C.eagain };
    case 'error':
      return { text: `accept → ${r.errno ?? 'error'}`, color: C.lost };
  }
}

/** Draws the lane header (epoll box) with state, pulse, busy indicator and race badge. */
function drawHeader(g: G, d: LaneData, geom: LaneGeom, pulse: Pulse | null): void {
  const l = d.loop;
  const h = geom.h - 12;
  const head = ensure<SVGGElement>(g, 'g', 'head').attr('transform', 'translate(8,6)');
  ensure<SVGRectElement>(head, 'rect', 'box')
    .attr('width', HEAD_W)
    .attr('height', h)
    .attr('rx', 7)
    .attr('fill', l.state === 'awake' ? '#1d2733' : '#161c24')
    .attr('stroke', l.state === 'awake' ? C.wake : C.line)
    .attr('stroke-width', l.state === 'awake' ? 1.4 : 1);
  ensure<SVGTextElement>(head, 'text', 'name')
    .attr('x', 12)
    .attr('y', 20)
    .attr('fill', C.text)
    .attr('font-weight', 650)
    .attr('font-size', 14)
    .text(`loop ${l.index}`);
  // Right-aligned short of the ready dot: a 5-digit thread id ran under it from x = 70.
  ensure<SVGTextElement>(head, 'text', 'thread')
    .attr('x', HEAD_W - 38)
    .attr('y', 20)
    .attr('text-anchor', 'end')
    .attr('fill', C.faint)
    .attr('font-size', 10.5)
    .text(l.thread >= 0 ? `thread ${l.thread}` : '');
  ensure<SVGTextElement>(head, 'text', 'fds')
    .attr('x', 12)
    .attr('y', 37)
    .attr('fill', C.dim)
    .attr('font-size', 11)
    .attr('font-family', null)
    .classed('mono', true)
    .text(`epoll ${l.epfd >= 0 ? l.epfd : '?'} · wake ${l.wakeFd >= 0 ? l.wakeFd : '?'}`);
  const state =
    l.state === 'waiting'
      ? 'blocked in epoll_wait'
      : l.state === 'awake'
        ? `awake: ${l.lastReady} ready`
        : l.state === 'stopped'
          ? `stopped (${l.stopReason ?? ''})`
          : 'starting';
  ensure<SVGTextElement>(head, 'text', 'state')
    .attr('x', 12)
    .attr('y', 54)
    .attr('fill', l.state === 'awake' ? C.wake : C.dim)
    .attr('font-size', 11.5)
    .text(state);
  ensure<SVGTextElement>(head, 'text', 'counts')
    .attr('x', 12)
    .attr('y', Math.min(h - 8, 71))
    .attr('fill', C.faint)
    .attr('font-size', 10.5)
    .attr('font-family', null)
    .classed('mono', true)
    .text(`${l.wakeups} wakes · ${l.conns} conn${l.conns === 1 ? '' : 's'}`);
  // The ready-count dot: bright while awake, with a ring that expands on each wake.
  const cx = HEAD_W - 22;
  ensure<SVGCircleElement>(head, 'circle', 'dot')
    .attr('cx', cx)
    .attr('cy', 20)
    .attr('r', 11)
    .attr('fill', l.state === 'awake' ? C.wake : '#263040');
  ensure<SVGTextElement>(head, 'text', 'ready')
    .attr('x', cx)
    .attr('y', 24)
    .attr('text-anchor', 'middle')
    .attr('font-size', 11)
    .attr('font-weight', 700)
    .attr('fill', l.state === 'awake' ? C.bg : C.dim)
    .text(l.state === 'awake' ? String(l.lastReady) : 'z');
  const prev = (head.node() as unknown as { __prev?: Prev }).__prev ?? {};
  if (prev.wake !== l.lastWakeSeq && l.lastWakeSeq >= 0 && l.lastReady > 0 && pulse) {
    pulse(geom.x + 8 + cx, geom.y + 6 + 20);
  }
  (head.node() as unknown as { __prev?: Prev }).__prev = { ...prev, wake: l.lastWakeSeq };
  const busy = l.busy && l.busy.durNs >= 1e6 ? l.busy : null;
  ensure<SVGRectElement>(head, 'rect', 'busy')
    .attr('x', 0)
    .attr('y', h - 4)
    .attr('width', HEAD_W)
    .attr('height', 4)
    .attr('rx', 2)
    .attr('fill', C.handler)
    .attr('opacity', busy ? 1 : 0);
  const badge = raceBadge(d);
  const bt = ensure<SVGTextElement>(g, 'text', 'race')
    .attr('data-testid', 'accept-race-entry')
    .attr('data-outcome', d.race?.outcome ?? '')
    .attr('x', 8 + HEAD_W + 10)
    .attr('y', 18)
    .attr('font-size', 11)
    .attr('font-family', null)
    .classed('mono', true)
    .attr('fill', badge?.color ?? 'none')
    .text(badge?.text ?? '');
  bt.attr('display', badge ? null : 'none');
  ensure<SVGTextElement>(g, 'text', 'busytext')
    .attr('x', 8 + HEAD_W + 10)
    .attr('y', geom.h - 10)
    .attr('font-size', 11)
    .attr('fill', C.handler)
    .text(
      busy ? `busy in ${busy.handler}() for ${fmtNs(busy.durNs)}: the other conns of this loop wait` : '',
    );
}

function connLabel(c: ConnState, fromLog: boolean): { text: string; color: string } {
  if (c.phase === 'closed') return { text: c.closeReason ?? 'closed', color: C.faint };
  if (c.lastWrite?.result === 'eagain') return { text: `write EAGAIN ×${c.eagainStreak}`, color: C.eagain };
  if (c.lastWrite && c.pending > 0) return { text: `wrote ${fmtBytes(c.lastWrite.written)}`, color: C.write };
  if (c.lastRead) {
    const r = c.lastRead;
    return r.result === 'data'
      ? { text: `read ${fmtBytes(r.bytes)}`, color: C.read }
      : { text: `read ${r.result.toUpperCase()}`, color: r.result === 'eagain' ? C.eagain : C.dim };
  }
  if (c.phase === 'accepted') return { text: fromLog ? 'accepted' : 'accepted, not opened', color: C.dim };
  return { text: c.phase, color: C.dim };
}

/** Draws the conn nodes of a lane. */
function drawConns(
  g: G,
  d: LaneData,
  geom: LaneGeom,
  focusFd: number | null,
  focus: boolean,
  seq: number,
): void {
  const x0 = 8 + HEAD_W + 12;
  const top = 26;
  const cols = Math.max(1, Math.floor((geom.w - x0 - 10) / (NODE_W + GAP)));
  const rows = Math.max(1, Math.floor((geom.h - top - 14) / (NODE_H + GAP)));
  const shown = d.conns.slice(0, cols * rows);
  const more = d.hidden + d.conns.length - shown.length;
  const nodes = g
    .selectAll<SVGGElement, ConnState>('g.conn')
    .data(shown, (c) => `${c.fd}:${c.gen}`)
    .join((enter) => {
      const n = enter.append('g').attr('class', 'conn').attr('data-testid', 'conn-node');
      n.append('rect').attr('class', 'body').attr('width', NODE_W).attr('height', NODE_H).attr('rx', 6);
      n.append('text')
        .attr('class', 'fd')
        .attr('x', 8)
        .attr('y', 16)
        .attr('font-size', 12)
        .attr('font-weight', 600);
      n.append('rect')
        .attr('class', 'mask')
        .attr('x', NODE_W - 36)
        .attr('y', 5)
        .attr('width', 30)
        .attr('height', 16)
        .attr('rx', 4);
      n.append('text')
        .attr('class', 'masktext')
        .attr('x', NODE_W - 21)
        .attr('y', 17)
        .attr('text-anchor', 'middle')
        .attr('font-size', 10.5)
        .attr('font-weight', 700);
      n.append('text')
        .attr('class', 'op')
        .attr('x', 8)
        .attr('y', 33)
        .attr('font-size', 10.5)
        .attr('font-family', null)
        .classed('mono', true);
      n.append('rect')
        .attr('class', 'track')
        .attr('x', 8)
        .attr('y', 41)
        .attr('width', NODE_W - 16)
        .attr('height', 6)
        .attr('rx', 3)
        .attr('fill', '#0c0f13');
      n.append('rect')
        .attr('class', 'bar')
        .attr('x', 8)
        .attr('y', 41)
        .attr('height', 6)
        .attr('rx', 3)
        .attr('fill', C.write);
      n.append('text')
        .attr('class', 'out')
        .attr('x', 8)
        .attr('y', 58)
        .attr('font-size', 10)
        .attr('font-family', null)
        .classed('mono', true);
      return n;
    });
  nodes
    .attr(
      'transform',
      (_c, i) =>
        `translate(${x0 + (i % cols) * (NODE_W + GAP)},${top + Math.floor(i / cols) * (NODE_H + GAP)})`,
    )
    .attr('data-fd', (c) => c.fd)
    .attr('data-mask', (c) => maskShort(c.mask))
    .attr('data-phase', (c) => c.phase)
    .attr('opacity', (c) => (c.phase === 'closed' ? 0.4 : 1));
  nodes
    .select('rect.body')
    .attr('fill', (c) => (c.busy && c.busy.durNs >= 1e6 ? '#12303a' : '#19212b'))
    .attr('stroke', (c) =>
      focus && c.fd === focusFd
        ? C.accept
        : c.lost > 0
          ? C.lost
          : d.loop.readyFds.includes(c.fd) && d.ready
            ? C.wake
            : C.line,
    )
    .attr('stroke-width', (c) => (focus && c.fd === focusFd ? 2 : 1));
  nodes
    .select('text.fd')
    .attr('fill', C.text)
    .text((c) => `fd ${c.fd}`);
  nodes
    .select('text.masktext')
    .attr('fill', (c) => (c.mask & 4 ? '#fff' : C.mod))
    .text((c) => maskShort(c.mask));
  // A MOD in the last few events: the badge is lit so every flip of the mask is seen.
  nodes
    .select<SVGRectElement>('rect.mask')
    .attr('stroke', (c) => (c.lastModSeq >= 0 && seq - c.lastModSeq <= 3 ? '#f1e6ff' : C.mod))
    .attr('stroke-width', (c) => (c.lastModSeq >= 0 && seq - c.lastModSeq <= 3 ? 2 : 1))
    .attr('fill', (c) => (c.mask & 4 ? '#6b45b8' : 'transparent'));
  nodes.select('text.op').each(function (c) {
    const l = connLabel(c, d.fromLog);
    d3.select(this).attr('fill', l.color).text(l.text);
  });
  nodes
    .select('rect.bar')
    .attr('width', (c) =>
      c.pending > 0 ? Math.max(2, ((NODE_W - 16) * c.pending) / Math.max(1, c.peakPending)) : 0,
    )
    .attr('fill', (c) => (c.lastWrite?.result === 'eagain' ? C.eagain : C.write));
  nodes.select('text.out').each(function (c) {
    const lost = c.lost > 0 ? `lost ${fmtBytes(c.lost)}` : '';
    d3.select(this)
      .attr('fill', c.lost > 0 ? C.lost : C.dim)
      .text(lost || (c.pending > 0 ? `out ${fmtBytes(c.pending)}` : `${fmtBytes(c.bytesIn)} in`));
  });
  ensure<SVGTextElement>(g, 'text', 'more')
    .attr('x', geom.w - 12)
    .attr('y', geom.h - 10)
    .attr('text-anchor', 'end')
    .attr('fill', C.dim)
    .attr('font-size', 11)
    .text(more > 0 ? `+${more} more` : '');
}

/** Draws one lane (its group is already translated to the lane's top-left). */
export function drawLane(
  g: G,
  d: LaneData,
  geom: LaneGeom,
  focus: { fd: number | null; loop: boolean; seq: number },
  pulse: Pulse | null,
): void {
  ensure<SVGRectElement>(g, 'rect', 'bg')
    .attr('width', geom.w)
    .attr('height', geom.h - 4)
    .attr('rx', 9)
    .attr('fill', focus.loop ? '#141b24' : '#12171e')
    .attr('stroke', C.line);
  drawHeader(g, d, geom, pulse);
  drawConns(g, d, geom, focus.fd, focus.loop, focus.seq);
}

export const LANE_HEAD_W = HEAD_W;
