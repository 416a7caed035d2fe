/** Colors shared by the stage, the timeline and the log: one meaning per color. */
import type { TraceEvent } from '@loopscope/trace';

export const C = {
  bg: '#0f1216',
  panel: '#161b22',
  panel2: '#1c232c',
  line: '#2a323d',
  text: '#d7dee8',
  dim: '#8592a3',
  faint: '#4b5666',
  read: '#5aa9ff',
  write: '#4cd790',
  eagain: '#ff9f43',
  lost: '#ff5c5c',
  mod: '#b88cff',
  accept: '#ffd166',
  handler: '#4dd0e1',
  wait: '#2b3544',
  wake: '#e8edf3',
  client: '#c3a6ff',
  note: '#f78fb3',
} as const;

/** The color of an event's tick and log badge. */
export function eventColor(ev: TraceEvent): string {
  switch (ev.kind) {
    case 'read':
      return ev.result === 'eagain' ? C.eagain : ev.result === 'data' ? C.read : C.lost;
    case 'write':
      return ev.result === 'eagain' ? C.eagain : ev.result === 'error' ? C.lost : C.write;
    case 'ctl':
      return C.mod;
    case 'accept':
      return ev.outcome === 'eagain' ? C.eagain : ev.outcome === 'error' ? C.lost : C.accept;
    case 'overwrite':
    case 'fault':
      return C.lost;
    case 'close':
      return ev.discarded > 0 ? C.lost : C.dim;
    case 'handler':
      return C.handler;
    case 'out':
      return C.write;
    case 'wait-return':
    case 'wait-enter':
      return C.wake;
    case 'notes':
    case 'wake':
    case 'eventfd':
      return C.note;
    case 'client-connect':
    case 'client-send':
    case 'client-recv':
    case 'client-close':
      return C.client;
    case 'client-verify':
      return ev.mismatches > 0 ? C.lost : C.client;
    case 'opened':
    case 'herd-wakeups':
      return C.accept;
    default:
      return C.dim;
  }
}

/** Formats a byte count: 512 B, 64.0 KiB, 16.0 MiB. */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Formats nanoseconds: 850 ns, 12.3 µs, 4.56 ms, 1.234 s. */
export function fmtNs(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${Math.round(ns)} ns`;
  if (a < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (a < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}

/** `R` or `RW` (and `ET`/`X` flags) for an epoll interest mask, as drawn on conn nodes. */
export function maskShort(mask: number): string {
  if (mask === 0) return '—';
  let s = mask & 0x001 ? 'R' : '';
  if (mask & 0x004) s += 'W';
  if (mask & 0x80000000) s += '·ET';
  return s || '?';
}

/**
 * Event colors as a palette ordered by how telling they are: when many events share a pixel of
 * the timeline, the highest index wins (lost bytes over EAGAIN over accepts over writes...).
 */
export const PALETTE: readonly string[] = [
  C.dim,
  C.client,
  C.note,
  C.wake,
  C.handler,
  C.read,
  C.write,
  C.mod,
  C.accept,
  C.eagain,
  C.lost,
];
const PALETTE_INDEX = new Map(PALETTE.map((c, i) => [c, i]));

/** The palette index of an event's color. */
export function paletteIndex(ev: TraceEvent): number {
  return PALETTE_INDEX.get(eventColor(ev)) ?? 0;
}

/** Kinds drawn as full-height ticks on the timeline. */
export function isTallKind(kind: TraceEvent['kind']): boolean {
  return kind === 'wait-return' || kind === 'overwrite' || kind === 'accept';
}
