/**
 * Where everything sits on the stage, computed from plain values and the stage's size: listener
 * boxes on the left, one lane per loop with its epoll box and its connection nodes, the clients
 * on the right. The drawing, the hover hit test and the wake pulses all read this one layout.
 */
import type { ClientState, ConnState, ListenerState } from '../model/types';
import type { LaneData, StageData } from './stage-data';

export const LEFT = 170;
export const RIGHT = 220;
export const TOP = 40;
/** Height of a listener's box. */
export const LISTENER_H = 62;
export const LISTENER_W = LEFT - 30;
export const HEAD_W = 176;
export const NODE_W = 104;
export const NODE_H = 62;
export const GAP = 8;
export const CLIENT_ROW_H = 44;
export const CLIENT_W = RIGHT - 22;
/** The ready-count dot in a lane's epoll box (relative to the box). */
export const DOT_X = HEAD_W - 22;
export const DOT_Y = 20;

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ConnPlace extends Rect {
  conn: ConnState;
}

export interface LanePlace extends Rect {
  data: LaneData;
  /** The epoll box. */
  head: Rect;
  conns: ConnPlace[];
  /** Connections not drawn (no room, or beyond the lane's cap). */
  more: number;
}

export interface ListenerPlace extends Rect {
  listener: ListenerState;
}

export interface LinkPlace {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** The link of a loop that took part in the latest accept race on this listener. */
  lit: boolean;
}

export interface ClientPlace extends Rect {
  client: ClientState;
}

export interface StageLayout {
  width: number;
  height: number;
  lanes: LanePlace[];
  listeners: ListenerPlace[];
  links: LinkPlace[];
  clients: ClientPlace[];
  /** Clients that did not fit. */
  clientsHidden: number;
}

/** Lane height for `n` lanes: between 84 and 230 px. */
export function laneHeight(n: number, height: number): number {
  return Math.max(84, Math.min(230, (height - TOP - 8) / Math.max(1, n)));
}

function placeConns(d: LaneData, lane: Rect): { conns: ConnPlace[]; more: number } {
  const x0 = 8 + HEAD_W + 12;
  const top = 26;
  const cols = Math.max(1, Math.floor((lane.w - x0 - 10) / (NODE_W + GAP)));
  const rows = Math.max(1, Math.floor((lane.h - top - 14) / (NODE_H + GAP)));
  const shown = d.conns.slice(0, cols * rows);
  const conns = shown.map((conn, i) => ({
    conn,
    x: lane.x + x0 + (i % cols) * (NODE_W + GAP),
    y: lane.y + top + Math.floor(i / cols) * (NODE_H + GAP),
    w: NODE_W,
    h: NODE_H,
  }));
  return { conns, more: d.hidden + d.conns.length - shown.length };
}

/** Lays out the stage for `d` in a `width` x `height` box (CSS pixels). */
export function layoutStage(d: StageData, width: number, height: number): StageLayout {
  const laneH = laneHeight(d.lanes.length, height);
  const laneW = width - LEFT - RIGHT;
  const lanes = d.lanes.map((data, i): LanePlace => {
    const lane = { x: LEFT, y: TOP + i * laneH, w: laneW, h: laneH };
    return {
      ...lane,
      data,
      head: { x: lane.x + 8, y: lane.y + 6, w: HEAD_W, h: laneH - 12 },
      ...placeConns(data, lane),
    };
  });
  const n = d.listeners.length;
  const span = laneH * Math.max(1, d.lanes.length);
  const listeners = d.listeners.map((listener, i) => ({
    listener,
    x: 12,
    y: TOP + ((i + 0.5) * span) / Math.max(1, n) - LISTENER_H / 2,
    w: LISTENER_W,
    h: LISTENER_H,
  }));
  const racing = new Set(d.race?.entries.map((e) => e.loop) ?? []);
  const links = listeners.flatMap((p) =>
    p.listener.loops.map((loop) => ({
      x0: LEFT - 18,
      y0: p.y + LISTENER_H / 2,
      x1: LEFT + 8,
      y1: TOP + loop * laneH + 28,
      lit: d.race?.listenerFd === p.listener.fd && racing.has(loop),
    })),
  );
  const fit = Math.max(1, Math.floor((height - TOP - 30) / CLIENT_ROW_H));
  const cx = width - RIGHT + 10;
  const clients = d.clients.slice(0, fit).map((client, i) => ({
    client,
    x: cx,
    y: TOP + 20 + i * CLIENT_ROW_H,
    w: CLIENT_W,
    h: CLIENT_ROW_H - 6,
  }));
  return {
    width,
    height,
    lanes,
    listeners,
    links,
    clients,
    clientsHidden: Math.max(0, d.clients.length - clients.length),
  };
}

const inside = (r: Rect, x: number, y: number) => x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;

export type Hit =
  | { kind: 'conn'; lane: LanePlace; conn: ConnPlace }
  | { kind: 'loop'; lane: LanePlace }
  | { kind: 'listener'; listener: ListenerPlace }
  | { kind: 'client'; client: ClientPlace };

/** What is under the point (x, y) of the stage, if anything. */
export function hitTest(L: StageLayout, x: number, y: number): Hit | null {
  for (const lane of L.lanes) {
    if (!inside(lane, x, y)) continue;
    for (const conn of lane.conns) if (inside(conn, x, y)) return { kind: 'conn', lane, conn };
    return { kind: 'loop', lane };
  }
  for (const listener of L.listeners) if (inside(listener, x, y)) return { kind: 'listener', listener };
  for (const client of L.clients) if (inside(client, x, y)) return { kind: 'client', client };
  return null;
}
