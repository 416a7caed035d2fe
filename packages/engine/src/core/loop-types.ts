/**
 * What a host (a Linux loop thread, or the simulator's scheduler) gives a loop and gets from it.
 */
import type { TraceEventDraft } from '@loopscope/trace';
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

/**
 * Receives trace events. Producers check `enabled` before building an event. The time and loop
 * come as arguments: the loop never adds properties to an event object after building it, so
 * each kind keeps one object shape and the hot path stays monomorphic.
 */
export interface Tracer {
  readonly enabled: boolean;
  emit(ev: DistributiveDraft, t: number, loop: number): void;
}

/** A tracer that drops everything (tracing off). */
export const NO_TRACE: Tracer = { enabled: false, emit() {} };

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
