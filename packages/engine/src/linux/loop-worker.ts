/**
 * The entry of one loop thread (a `worker_threads` Worker started by `server.ts`).
 *
 * It loads koffi and the handler module itself (functions cannot cross threads), builds a
 * `LinuxKernel` and a `Loop`, and runs the loop: blocked in epoll_wait (64 events, 100 ms), then
 * dispatch, over and over. Every few milliseconds of loop time it yields to its own event loop
 * (`setImmediate`) so a handler's timers and promises can run. Notes from the main thread arrive
 * through the SharedArrayBuffer note queue plus an eventfd write. When the loop stops it closes
 * the note queue's eventfd handshake, then every conn (Closed fires), the eventfd and the epoll fd,
 * and reports `closed`; the main thread then ends the worker and closes the listeners.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadBalance } from '../core/api';
import { Loop } from '../core/loop';
import { type ListenerSpec, NO_TRACE } from '../core/loop-types';
import type { ModeFlags } from '../core/modes';
import { loadEvents } from './handler-module';
import { LinuxKernel } from './kernel';
import { libc } from './libc';
import { IN_WAIT, NoteConsumer } from './note-queue';
import { RingWriter } from './trace-ring';

/** What the main thread gives a loop thread. */
export interface LoopWorkerInit {
  index: number;
  loops: number;
  listeners: ListenerSpec[];
  shared: SharedArrayBuffer;
  notes: SharedArrayBuffer;
  /** The trace ring, or null when tracing is off. */
  ring: SharedArrayBuffer | null;
  /** Float64 slots `[2 * index]` syscalls and `[2 * index + 1]` data reads, published at each yield. */
  counters: SharedArrayBuffer;
  mode: ModeFlags;
  balance: LoadBalance;
  handler: { module: string; export?: string; params?: unknown };
  /** Monotonic ns at which the trace started. */
  baseNs: number;
}

/** Messages a loop thread posts to the main thread. */
export type LoopWorkerMessage =
  | { type: 'started'; index: number; epfd: number; wakeFd: number; tid: number }
  | { type: 'stop'; index: number; reason: 'shutdown' | 'error'; error: string | null }
  | { type: 'closed'; index: number; stalls: number }
  | { type: 'failed'; index: number; error: string };

/** Loop time between two yields to the worker's own event loop. */
const YIELD_EVERY_NS = 5e6;

const post = (m: LoopWorkerMessage) => parentPort?.postMessage(m);
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

async function main(init: LoopWorkerInit): Promise<void> {
  const events = await loadEvents(init.handler);
  const notes = new NoteConsumer(init.notes);
  const kernel = new LinuxKernel(init.baseNs, notes.slots, IN_WAIT);
  const tracer = init.ring ? new RingWriter(init.ring) : NO_TRACE;
  const loop = new Loop({
    index: init.index,
    loops: init.loops,
    kernel,
    events,
    mode: init.mode,
    balance: init.balance,
    listeners: init.listeners,
    shared: new Int32Array(init.shared),
    tracer,
    takeExternalNotes: () => notes.take(),
    onStop: (reason, error) => post({ type: 'stop', index: init.index, reason, error }),
    threadId: libc.gettid(),
  });
  // A handler's timer that throws must not kill the thread with its fds still open.
  process.on('uncaughtException', (err) =>
    loop.stop('error', err instanceof Error ? err.message : String(err)),
  );
  loop.start();
  notes.open(loop.wakeFd);
  post({ type: 'started', index: init.index, epfd: loop.epfd, wakeFd: loop.wakeFd, tid: libc.gettid() });
  const counters = new Float64Array(init.counters);
  const publish = (): void => {
    counters[2 * init.index] = kernel.syscalls;
    counters[2 * init.index + 1] = kernel.dataReads;
  };
  let lastYield = kernel.now();
  try {
    while (!loop.stopped) {
      loop.runOnce();
      const now = kernel.now();
      if (now - lastYield > YIELD_EVERY_NS) {
        publish();
        await yieldNow();
        lastYield = kernel.now();
      }
    }
  } catch (err) {
    loop.stop('error', err instanceof Error ? err.message : String(err));
  }
  notes.close();
  loop.closeAll();
  if (tracer instanceof RingWriter) tracer.flush();
  publish();
  post({ type: 'closed', index: init.index, stalls: tracer instanceof RingWriter ? tracer.stalls : 0 });
}

if (parentPort && workerData) {
  const init = workerData as LoopWorkerInit;
  main(init).catch((err: unknown) => {
    post({ type: 'failed', index: init.index, error: err instanceof Error ? err.message : String(err) });
  });
}
