/**
 * What a host (a Linux loop thread, or the simulator's scheduler) gives a loop and gets from it.
 */
import type { EventOfKind, TraceEventDraft, TraceEventKind } from '@loopscope/trace';
import type { Events, LoadBalance } from './api';
import type { Kernel } from './kernel';
import type { ModeFlags } from './modes';

/** A bound listening socket, created by the host before the loops start. */
export interface ListenerSpec {
  fd: number;
  /** Index of the address in the serve call (evio's AddrIndex). */
  index: number;
  /** The listener's address as text (evio's lnaddr). */
  addr: string;
  network: 'tcp' | 'tcp4' | 'tcp6' | 'unix' | 'udp';
  reuseport: boolean;
  /** In `reuseport` mode each loop has its own listener: the loop that watches it. null = all loops. */
  ownerLoop: number | null;
}

type DistributiveOmitTL<T> = T extends unknown ? Omit<T, 't' | 'loop'> : never;
/** A draft without its time and loop: `Loop.trace` passes both alongside. */
export type DistributiveDraft = DistributiveOmitTL<TraceEventDraft>;

/** Field `F` of trace kind `K`. */
type Of<K extends TraceEventKind, F extends keyof EventOfKind<K>> = EventOfKind<K>[F];

/**
 * The five kinds every request emits (an echo request is read, handler, out, ctl, write, out,
 * ctl), as positional calls: the time, the loop, then the kind's fields in `SCHEMA` order.
 * No event object is built, so a tracer that writes records (the Linux trace ring) does it with
 * a few stores and no allocation between two syscalls. The contract is the `SCHEMA` order; the
 * ring's tests check every method against the object path.
 */
export interface HotTracer {
  ctl(
    t: number,
    loop: number,
    epfd: number,
    op: Of<'ctl', 'op'>,
    fd: number,
    gen: number | null,
    old: number,
    mask: number,
    errno: string | null,
  ): void;
  read(
    t: number,
    loop: number,
    fd: number,
    gen: number | null,
    sys: string,
    max: number,
    bytes: number,
    result: Of<'read', 'result'>,
    errno: string | null,
  ): void;
  handler(
    t: number,
    loop: number,
    handler: Of<'handler', 'handler'>,
    fd: number | null,
    gen: number | null,
    durNs: number,
    inBytes: number,
    outBytes: number,
    action: Of<'handler', 'action'>,
  ): void;
  write(
    t: number,
    loop: number,
    fd: number,
    gen: number | null,
    sys: string,
    asked: number,
    written: number,
    result: Of<'write', 'result'>,
    errno: string | null,
  ): void;
  out(t: number, loop: number, fd: number, gen: number, pending: number, cause: Of<'out', 'cause'>): void;
}

/**
 * Receives trace events. Producers check `enabled` before building an event. The time and loop
 * come as arguments: the loop never adds properties to an event object after building it, so
 * each kind keeps one object shape and the hot path stays monomorphic. The kinds of `HotTracer`
 * come through its methods only, never through `emit`.
 */
export interface Tracer extends HotTracer {
  readonly enabled: boolean;
  emit(ev: DistributiveDraft, t: number, loop: number): void;
}

/** A tracer that receives every event as an object: the hot kinds are built and passed to `emit`. */
export abstract class ObjectTracer implements Tracer {
  abstract readonly enabled: boolean;
  abstract emit(ev: DistributiveDraft, t: number, loop: number): void;

  ctl: HotTracer['ctl'] = (t, loop, epfd, op, fd, gen, old, mask, errno) =>
    this.emit({ kind: 'ctl', epfd, op, fd, gen, old, new: mask, errno }, t, loop);
  read: HotTracer['read'] = (t, loop, fd, gen, sys, max, bytes, result, errno) =>
    this.emit({ kind: 'read', fd, gen, sys, max, bytes, result, errno }, t, loop);
  handler: HotTracer['handler'] = (t, loop, handler, fd, gen, durNs, inBytes, outBytes, action) =>
    this.emit({ kind: 'handler', handler, fd, gen, durNs, inBytes, outBytes, action }, t, loop);
  write: HotTracer['write'] = (t, loop, fd, gen, sys, asked, written, result, errno) =>
    this.emit({ kind: 'write', fd, gen, sys, asked, written, result, errno }, t, loop);
  out: HotTracer['out'] = (t, loop, fd, gen, pending, cause) =>
    this.emit({ kind: 'out', fd, gen, pending, cause }, t, loop);
}

class NoTrace extends ObjectTracer {
  readonly enabled = false;
  emit(): void {}
}

/** A tracer that drops everything (tracing off). */
export const NO_TRACE: Tracer = new NoTrace();

/** A message for a loop, drained after every wait before any fd event (evio's note queue). */
export type Note =
  | { type: 'tick' }
  | { type: 'shutdown' }
  /** Conn.wake(): fd and generation of the connection to wake. */
  | { type: 'wake'; fd: number; gen: number };

/**
 * State shared by all loops of one server: `shared[0]` is the RoundRobin counter, `shared[1 + i]`
 * is loop i's connection count, `shared[1 + loops]` is the next connection generation.
 * On Linux it lives in a SharedArrayBuffer; the loop uses Atomics on it either way.
 */
export function sharedStateSize(loops: number): number {
  return loops + 2;
}

/** Everything a loop needs. */
export interface LoopConfig {
  index: number;
  loops: number;
  kernel: Kernel;
  events: Events;
  mode: ModeFlags;
  balance: LoadBalance;
  listeners: ListenerSpec[];
  shared: Int32Array;
  tracer: Tracer;
  /** Source of randomness for nothing but tie-breaking in hosts; the loop itself never draws. */
  random?: () => number;
  /**
   * Notes sent from other threads (shutdown, wake requests from the host): called when the loop
   * drains its notes. Returns null when there are none.
   */
  takeExternalNotes?: () => Note[] | null;
  /** The OS thread id running the loop, for the trace (-1 or absent when there is none). */
  threadId?: number;
  /** Called when a handler asks for a server shutdown, or the loop fails. */
  onStop?: (reason: 'shutdown' | 'error', error: string | null) => void;
}
