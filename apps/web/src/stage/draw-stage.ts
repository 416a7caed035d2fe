/**
 * Draws the stage with d3 from plain values: the listeners shared by the loops that watch them,
 * one lane per loop, the clients, and the EAGAIN spin counter.
 */
import * as d3 from 'd3';
import './d3-quiet';
import type { ClientState, ListenerState } from '../model/types';
import { C, fmtBytes } from '../theme';
import { drawLane, LANE_HEAD_W, type Pulse } from './draw-lane';
import type { LaneData, StageData } from './stage-data';

const LEFT = 170;
const RIGHT = 220;
const TOP = 40;
/** Height of a listener's box. */
const LISTENER_H = 62;

type Root = d3.Selection<SVGSVGElement, unknown, null, undefined>;

function layer(root: Root, cls: string): d3.Selection<SVGGElement, unknown, null, undefined> {
  let g = root.select<SVGGElement>(`g.${cls}`);
  if (g.empty()) g = root.append('g').attr('class', cls);
  return g;
}

function laneGeometry(n: number, height: number): { y: (i: number) => number; h: number } {
  const h = Math.max(84, Math.min(230, (height - TOP - 8) / Math.max(1, n)));
  return { y: (i) => TOP + i * h, h };
}

function drawTop(root: Root, d: StageData, width: number): void {
  const g = layer(root, 'top');
  const items: { k: string; v: string; color: string; id: string }[] = [
    { k: 'mode', v: d.mode, color: C.text, id: 'stage-mode' },
    {
      k: 'EAGAIN spin',
      v: `${d.eagain} writes · ${d.eagainRate}/s`,
      color: d.eagain ? C.eagain : C.dim,
      id: 'eagain-spin',
    },
    { k: 'bytes lost', v: fmtBytes(d.lost), color: d.lost ? C.lost : C.dim, id: 'bytes-lost' },
  ];
  const sel = g
    .selectAll<SVGTextElement, (typeof items)[number]>('text.item')
    .data(items)
    .join('text')
    .attr('class', 'item')
    .attr('data-testid', (x) => x.id)
    .attr('y', 24)
    .attr('font-size', 12.5);
  let x = 14;
  sel.each(function (it) {
    const t = d3.select(this).attr('x', x);
    const spans = t
      .selectAll('tspan')
      .data([0, 1])
      .join('tspan')
      .attr('fill', (i) => (i ? it.color : C.dim))
      .attr('font-weight', (i) => (i ? 600 : null))
      .attr('class', (i) => (i ? 'mono' : null));
    spans.text((i) => (i ? it.v : `${it.k} `));
    // Measured text would force a layout every frame: estimate from the length instead.
    x += Math.max(130, (it.k.length + it.v.length + 1) * 7.4 + 26);
  });
  const race = d.race;
  const text = race
    ? `accept race #${race.id}: ${race.entries.length} loop${race.entries.length > 1 ? 's' : ''} woke → ${
        race.winner !== null ? `loop ${race.winner} won fd ${race.fd}` : 'nobody yet'
      }`
    : '';
  layer(root, 'top')
    .selectAll('text.race')
    .data([text])
    .join('text')
    .attr('class', 'race')
    .attr('data-testid', 'accept-race')
    .attr('x', width - 14)
    .attr('y', 24)
    .attr('text-anchor', 'end')
    .attr('font-size', 12.5)
    .attr('fill', C.accept)
    .text((s) => s);
}

function drawListeners(root: Root, d: StageData, lanes: { y: (i: number) => number; h: number }): void {
  const g = layer(root, 'listeners');
  const links = layer(root, 'links');
  const n = d.listeners.length;
  const span = lanes.h * Math.max(1, d.lanes.length);
  const ly = (i: number) => TOP + ((i + 0.5) * span) / Math.max(1, n) - LISTENER_H / 2;
  const racing = new Set(d.race?.entries.map((e) => e.loop) ?? []);
  const pairs = d.listeners.flatMap((l, i) => l.loops.map((loop) => ({ l, i, loop })));
  links
    .selectAll<SVGPathElement, (typeof pairs)[number]>('path')
    .data(pairs, (p) => `${p.l.fd}-${p.loop}`)
    .join('path')
    .attr('d', (p) => {
      const x0 = LEFT - 18;
      const y0 = ly(p.i) + LISTENER_H / 2;
      const x1 = LEFT + 8;
      const y1 = lanes.y(p.loop) + 28;
      return `M${x0},${y0} C${x0 + 20},${y0} ${x1 - 20},${y1} ${x1},${y1}`;
    })
    .attr('fill', 'none')
    .attr('stroke', (p) => (d.race?.listenerFd === p.l.fd && racing.has(p.loop) ? C.accept : '#3a4657'))
    .attr('stroke-width', (p) => (d.race?.listenerFd === p.l.fd && racing.has(p.loop) ? 2 : 1.2));
  const boxes = g
    .selectAll<SVGGElement, ListenerState>('g.listener')
    .data(d.listeners, (l) => String(l.fd))
    .join((enter) => {
      const b = enter.append('g').attr('class', 'listener').attr('data-testid', 'listener');
      b.append('rect')
        .attr('width', LEFT - 30)
        .attr('height', LISTENER_H)
        .attr('rx', 7)
        .attr('fill', '#1f1b10')
        .attr('stroke', C.accept);
      b.append('text')
        .attr('class', 'a')
        .attr('x', 10)
        .attr('y', 20)
        .attr('fill', C.accept)
        .attr('font-size', 12)
        .attr('font-weight', 600);
      b.append('text')
        .attr('class', 'b')
        .attr('x', 10)
        .attr('y', 38)
        .attr('fill', C.dim)
        .attr('font-size', 10.5)
        .attr('class', 'b mono');
      b.append('text')
        .attr('x', 10)
        .attr('y', 53)
        .attr('fill', C.dim)
        .attr('font-size', 10.5)
        .attr('class', 'c mono');
      return b;
    });
  boxes.attr('transform', (_l, i) => `translate(12,${ly(i)})`).attr('data-loops', (l) => l.loops.join(','));
  boxes.select('text.a').text((l) => `listener fd ${l.fd}`);
  // Address, then loops and EPOLLEXCLUSIVE on a second line: on one line they ran past the box.
  // An imported log never shows the bound address: `addr ?`.
  boxes.select('text.b').text((l) => (l.addr === 'unknown' || l.addr === '' ? 'addr ?' : l.addr));
  boxes.select('text.c').text(listenerLoops);
}

/** The second line of a listener's box: `3 loops`, and `· EXCL` if registered with EPOLLEXCLUSIVE. */
function listenerLoops(l: ListenerState): string {
  const loops = `${l.loops.length} loop${l.loops.length === 1 ? '' : 's'}`;
  return l.exclusive ? `${loops} · EXCL` : loops;
}

function drawClients(root: Root, d: StageData, width: number, height: number): void {
  const g = layer(root, 'clients').attr('transform', `translate(${width - RIGHT + 10},${TOP})`);
  g.selectAll('text.title')
    .data([d.clients.length])
    .join('text')
    .attr('class', 'title')
    .attr('y', 12)
    .attr('fill', C.dim)
    .attr('font-size', 11)
    .text((n) => (n ? `CLIENTS (${n})` : d.mode === 'strace' ? 'CLIENTS: not in an strace log' : ''));
  const rowH = 44;
  const fit = Math.max(1, Math.floor((height - TOP - 30) / rowH));
  const rows = g
    .selectAll<SVGGElement, ClientState>('g.client')
    .data(d.clients.slice(0, fit), (c) => String(c.id))
    .join((enter) => {
      const r = enter.append('g').attr('class', 'client').attr('data-testid', 'client');
      r.append('rect')
        .attr('width', RIGHT - 22)
        .attr('height', rowH - 6)
        .attr('rx', 6)
        .attr('fill', '#17141f');
      r.append('text')
        .attr('class', 'a')
        .attr('x', 8)
        .attr('y', 15)
        .attr('font-size', 11.5)
        .attr('font-weight', 600);
      r.append('text')
        .attr('class', 'b')
        .attr('x', 8)
        .attr('y', 31)
        .attr('font-size', 10.5)
        .attr('class', 'b mono');
      return r;
    });
  rows
    .attr('transform', (_c, i) => `translate(0,${20 + i * rowH})`)
    .attr('data-mismatches', (c) => c.mismatches);
  rows
    .select('rect')
    .attr('stroke', (c) => (c.mismatches ? C.lost : c.error ? C.eagain : '#2e2840'))
    .attr('opacity', (c) => (c.closed ? 0.55 : 1));
  rows
    .select('text.a')
    .attr('fill', C.client)
    .text((c) => `client ${c.id}${c.closed ? (c.error ? ` · ${c.error}` : ' · closed') : ''}`);
  rows.select('text.b').each(function (c) {
    d3.select(this)
      .selectAll('tspan')
      .data([0, 1])
      .join('tspan')
      .attr('fill', (i) => (i ? (c.mismatches ? C.lost : C.write) : C.dim))
      .text((i) =>
        i
          ? c.mismatches
            ? `✗ ${c.mismatches} bad`
            : c.verified
              ? `✓ ${fmtBytes(c.verified)}`
              : ''
          : `↑${fmtBytes(c.sent)} ↓${fmtBytes(c.received)} `,
      );
  });
}

/** Draws (or updates) the whole stage into `svg`. */
export function drawStage(
  svg: SVGSVGElement,
  d: StageData,
  width: number,
  height: number,
  pulse: Pulse | null,
): void {
  const root = d3.select(svg) as Root;
  root.attr('viewBox', `0 0 ${width} ${height}`);
  const lanes = laneGeometry(d.lanes.length, height);
  const laneW = width - LEFT - RIGHT;
  drawTop(root, d, width);
  drawListeners(root, d, lanes);
  const g = layer(root, 'lanes');
  g.selectAll<SVGGElement, LaneData>('g.lane')
    .data(d.lanes, (l) => String(l.loop.index))
    .join('g')
    .attr('class', 'lane')
    .attr('data-testid', 'loop-lane')
    .attr('data-loop', (l) => l.loop.index)
    .attr('data-state', (l) => l.loop.state)
    .attr('transform', (_l, i) => `translate(${LEFT},${lanes.y(i)})`)
    .each(function (l) {
      const geom = { x: LEFT, y: lanes.y(l.loop.index), w: laneW, h: lanes.h };
      drawLane(
        d3.select(this),
        l,
        geom,
        { fd: d.focusFd, loop: l.loop.index === d.focusLoop, seq: d.seq },
        pulse,
      );
    });
  drawClients(root, d, width, height);
}

export { LANE_HEAD_W };
