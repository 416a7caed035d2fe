/**
 * `serve`: evio's Serve on real Linux, one loop per worker thread.
 *
 * Start-up (evio §2.3): resolve the loop count, bind every address on the main thread, call
 * `serving` on the main thread (the handler module is imported here too; `Shutdown` ends at once,
 * before any loop exists), then start one worker per loop; each imports koffi and the handler
 * module, creates its epoll fd and eventfd, registers the listeners and blocks in epoll_wait, so
 * the thundering herd is a real race between threads.
 * Shutdown (evio §2.14): a shutdown note to every loop through its note queue plus an eventfd
 * write (a thread blocked in epoll_wait cannot be terminated, only woken); each loop closes its
 * conns (Closed fires), its eventfd and epoll fd; the main thread joins every thread, then closes
 * the listeners and removes unix socket files. A loop that stops by itself (a handler returned
 * Shutdown, or an error) stops the whole server, as in evio.
 */
import { availableParallelism } from 'node:os';
import type { TraceEvent } from '@loopscope/trace';
import { Action, type LoadBalance } from '../core/api';
import { toAction } from '../core/convert';
import { sharedStateSize } from '../core/loop-types';
import { MODES, type ModeName } from '../core/modes';
import { monotonicNowNs } from './clock';
import { type HandlerSpec, loadEvents } from './handler-module';
import { closeListeners, listenAll } from './listen';
import { LoopThreads } from './loop-threads';
import { createNoteQueue, NoteProducer } from './note-queue';
import { TraceMerger } from './trace-merge';
import { createRing, DEFAULT_RING_BYTES } from './trace-ring';

/** What to serve. */
export interface ServeSpec {
  /** evio addresses (`tcp://127.0.0.1:5000`, `unix:///tmp/s`, `udp://:0`...). */
  addrs: string[];
  /** The module the Events come from (see `handler-module.ts`). */
  handler: HandlerSpec;
  /** Loop count: 0 means 1, negative one per CPU. Default: the Events' `numLoops`, else 1. */
  numLoops?: number;
  /** Default: the Events' `loadBalance`, else `random`. */
  loadBalance?: LoadBalance;
  /** Engine mode; default `evio`. */
  mode?: ModeName;
  /** Record trace events (default true when `onEvents` is given). */
  trace?: boolean;
  /** Receives trace events: merged from every loop, numbered from 0, in time order. */
  onEvents?(events: TraceEvent[]): unknown;
  /**
   * Record through spill files in a directory made under this one instead of delivering events
   * during the run: the loops' raw records are copied to disk and decoded, merged and delivered
   * to `onEvents` (a returned promise is awaited before the next batch) after the loops stopped,
   * before `done` resolves. The main thread then costs the loops almost nothing while they run;
   * for recordings nobody watches live (`trace-spill.ts`).
   */
  spillDir?: string;
  /** Bytes of each loop's trace ring (default 4 MiB). */
  ringBytes?: number;
  /** How often the rings are drained, in ms (default 5; 20 with `spillDir`). */
  drainMs?: number;
  /**
   * CLOCK_MONOTONIC nanoseconds at which the trace starts (t = 0), so that events produced
   * outside the engine (scenario clients) share its clock. Default: now.
   */
  traceBaseNs?: number;
}

/** A running server. */
export interface LinuxServer {
  /** The bound addresses, index-aligned with `spec.addrs` (real ports for port 0). */
  readonly addrs: string[];
  readonly numLoops: number;
  /** CLOCK_MONOTONIC nanoseconds of the trace's t = 0. */
  readonly traceBaseNs: number;
  /** evio's shutdown: every loop stopped, every conn closed, every fd closed; idempotent. */
  stop(): Promise<void>;
  /** Resolves when the server has stopped, by `stop()` or by itself. */
  readonly done: Promise<void>;
  /** Trace events delivered so far. */
  readonly eventCount: number;
  /** How often a loop waited for the main thread to drain its trace ring. */
  readonly ringStalls: number;
  /** Wakes a connection (evio's Conn.Wake from outside): every loop gets the note, its owner acts. */
  wake(fd: number, gen: number): void;
  /**
   * Syscalls made by the loops' kernels and conn reads that returned data, summed over loops;
   * published by each loop every few ms and when it stops (counted with tracing on or off).
   */
  kernelCounts(): KernelCounts;
}

/** See `LinuxServer.kernelCounts`. */
export interface KernelCounts {
  syscalls: number;
  dataReads: number;
}

/** evio's loop count rule. */
export function resolveLoops(n: number | undefined): number {
  if (n === undefined || n === 0) return 1;
  return n < 0 ? availableParallelism() : Math.floor(n);
}

/** Starts a server; resolves once every loop is blocked in its first wait. */
export async function serve(spec: ServeSpec): Promise<LinuxServer> {
  const events = await loadEvents(spec.handler);
  const loops = resolveLoops(spec.numLoops ?? events.numLoops);
  const balance = spec.loadBalance ?? events.loadBalance ?? 'random';
  const mode = MODES[spec.mode ?? 'evio'];
  if (!mode) throw new Error(`unknown mode "${spec.mode}"`);
  const tracing = spec.trace ?? spec.onEvents !== undefined;
  const baseNs = spec.traceBaseNs ?? monotonicNowNs();
  const merger = new TraceMerger(baseNs, (evs) => spec.onEvents?.(evs), tracing ? spec.spillDir : undefined);
  const emit = tracing ? (ev: Parameters<TraceMerger['emitOwn']>[0]) => merger.emitOwn(ev) : () => {};

  const listeners = listenAll(spec.addrs, {
    loops,
    perLoop: mode.flags.reuseport,
    onSyscall: (c) =>
      emit({
        kind: 'sys',
        t: merger.now(),
        loop: -1,
        name: c.name,
        fd: c.fd,
        gen: null,
        ret: c.ret,
        errno: null,
      }),
  });
  const addrs = spec.addrs.map((_, i) => listeners.find((l) => l.index === i)!.addr);

  if (events.serving) {
    const t0 = merger.now();
    const action = toAction(events.serving({ addrs, numLoops: loops }));
    emit({
      kind: 'handler',
      t: merger.now(),
      loop: -1,
      handler: 'serving',
      fd: null,
      gen: null,
      durNs: Math.max(0, merger.now() - t0),
      inBytes: 0,
      outBytes: 0,
      action: action === Action.Shutdown ? 'shutdown' : 'none',
    });
    if (action === Action.Shutdown) {
      closeListeners(listeners);
      await merger.end();
      return finishedServer(addrs, loops, merger, baseNs);
    }
  }

  const shared = new SharedArrayBuffer(sharedStateSize(loops) * 4);
  const notes = Array.from({ length: loops }, () => createNoteQueue());
  const producers = notes.map((sab) => new NoteProducer(sab));
  const counters = new SharedArrayBuffer(loops * 16);
  const rings = notes.map(() => (tracing ? createRing(spec.ringBytes ?? DEFAULT_RING_BYTES) : null));
  rings.forEach((r, i) => {
    if (r) merger.addLoop(r, producers[i]!);
  });
  const threads = new LoopThreads(producers, merger, () => closeListeners(listeners));
  // With tracing off there is nothing to drain: no timer waking the main thread every 5 ms.
  if (tracing) {
    const timer = setInterval(() => merger.pump(), spec.drainMs ?? (spec.spillDir ? 20 : 5));
    threads.done.then(
      () => clearInterval(timer),
      () => clearInterval(timer),
    );
  }
  await threads.start((index) => ({
    index,
    loops,
    listeners,
    shared,
    notes: notes[index]!,
    ring: rings[index]!,
    counters,
    mode: mode.flags,
    balance,
    handler: spec.handler,
    baseNs,
  }));
  return {
    addrs,
    numLoops: loops,
    traceBaseNs: baseNs,
    stop: () => threads.stop(),
    done: threads.done,
    get eventCount() {
      return merger.count;
    },
    get ringStalls() {
      return threads.stalls;
    },
    wake: (fd, gen) => {
      for (const p of producers) p.send({ type: 'wake', fd, gen });
    },
    kernelCounts: () => {
      const c = new Float64Array(counters);
      let syscalls = 0;
      let dataReads = 0;
      for (let i = 0; i < loops; i++) {
        syscalls += c[2 * i]!;
        dataReads += c[2 * i + 1]!;
      }
      return { syscalls, dataReads };
    },
  };
}

function finishedServer(
  addrs: string[],
  numLoops: number,
  merger: TraceMerger,
  traceBaseNs: number,
): LinuxServer {
  const done = Promise.resolve();
  return {
    addrs,
    numLoops,
    traceBaseNs,
    stop: () => done,
    done,
    get eventCount() {
      return merger.count;
    },
    ringStalls: 0,
    wake: () => {},
    kernelCounts: () => ({ syscalls: 0, dataReads: 0 }),
  };
}
