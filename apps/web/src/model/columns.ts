/**
 * The per-event columns of a trace: what the timeline, the log's filters and the wait bands read
 * of every event, as typed arrays. `writeColumns` fills them from an event: in the page for live
 * and simulated events, in the recording worker for a replayed file (whose events then stay text
 * until a view asks for one).
 */
import { EVENT_KINDS, type TraceEvent, type TraceEventKind } from '@loopscope/trace';
import { isTallKind, paletteIndex } from '../theme';
import { groupBits } from './event-groups';

/** Each kind's code in the `kind` column: its index in the trace schema's `EVENT_KINDS`. */
export const KIND_CODE: ReadonlyMap<TraceEventKind, number> = new Map(EVENT_KINDS.map((k, i) => [k, i]));
export const KIND_OF_CODE: readonly TraceEventKind[] = EVENT_KINDS;
export const WAIT_ENTER = KIND_CODE.get('wait-enter')!;
export const WAIT_RETURN = KIND_CODE.get('wait-return')!;
export const ACCEPT = KIND_CODE.get('accept')!;
export const OUT = KIND_CODE.get('out')!;
/** Per kind code: 1 for the kinds the timeline draws as full-height ticks (`isTallKind`). */
export const TALL_BY_CODE: Uint8Array = Uint8Array.from(EVENT_KINDS, (k) => (isTallKind(k) ? 1 : 0));

/** The columns of a run of events, one entry per event. */
export interface EventColumns {
  /** `t` (ns), as the event has it. */
  t: Float64Array;
  /** `loop` (-1: server thread or client). */
  loop: Int16Array;
  /** The kind's code (`KIND_CODE`). */
  kind: Uint8Array;
  /** The palette index of the event's color (`paletteIndex`). */
  color: Uint8Array;
  /** The event's `fd` field when it is a number, else -1. */
  fd: Int32Array;
  /** wait-return: `blockedNs`; accept: `listenerFd`; other kinds: 0. */
  aux: Float64Array;
  /** The log groups that show the event (`groupBits`). */
  groups: Uint16Array;
}

export function allocColumns(n: number): EventColumns {
  return {
    t: new Float64Array(n),
    loop: new Int16Array(n),
    kind: new Uint8Array(n),
    color: new Uint8Array(n),
    fd: new Int32Array(n),
    aux: new Float64Array(n),
    groups: new Uint16Array(n),
  };
}

/** Writes the columns of `ev` at row `k`. */
export function writeColumns(c: EventColumns, k: number, ev: TraceEvent): void {
  c.t[k] = ev.t;
  c.loop[k] = ev.loop;
  c.kind[k] = KIND_CODE.get(ev.kind)!;
  c.color[k] = paletteIndex(ev);
  const fd = (ev as { fd?: unknown }).fd;
  c.fd[k] = typeof fd === 'number' ? fd : -1;
  c.aux[k] = ev.kind === 'wait-return' ? ev.blockedNs : ev.kind === 'accept' ? ev.listenerFd : 0;
  c.groups[k] = groupBits(ev);
}

/** The first `n` rows of `c` (views on the same memory). */
export function headColumns(c: EventColumns, n: number): EventColumns {
  return {
    t: c.t.subarray(0, n),
    loop: c.loop.subarray(0, n),
    kind: c.kind.subarray(0, n),
    color: c.color.subarray(0, n),
    fd: c.fd.subarray(0, n),
    aux: c.aux.subarray(0, n),
    groups: c.groups.subarray(0, n),
  };
}

/** The memory of the columns, for `postMessage`'s transfer list. */
export function columnBuffers(c: EventColumns): ArrayBuffer[] {
  return [c.t, c.loop, c.kind, c.color, c.fd, c.aux, c.groups].map((a) => a.buffer as ArrayBuffer);
}
