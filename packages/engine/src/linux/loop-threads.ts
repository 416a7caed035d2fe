/**
 * The loop threads of one server, seen from the main thread: start them, stop them, join them.
 *
 * A loop thread is only ever stopped by a note (a thread blocked in a foreign call cannot be
 * terminated, only woken); `worker.terminate()` is used once the thread reported `closed`, to
 * end whatever handler timers still keep its event loop alive, or as a last resort after
 * `JOIN_TIMEOUT_MS` (by then its epoll_wait has returned: the wait is bounded by 100 ms).
 */
import type { Worker } from 'node:worker_threads';
import { handlerUrl } from './handler-module';
import type { LoopWorkerInit, LoopWorkerMessage } from './loop-worker';
import type { NoteProducer } from './note-queue';
import type { TraceMerger } from './trace-merge';
import { startWorker, workerModuleUrl } from './ts-worker';

const JOIN_TIMEOUT_MS = 10_000;
/** The loop thread's entry: `.ts` when running from sources (no build step), else `.js`. */
const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './loop-worker.ts' : './loop-worker.js',
  import.meta.url,
);

/** Starts, stops and joins the loop threads of one server. */
export class LoopThreads {
  /** Resolves once every thread has exited, `onJoined` ran and every trace event was delivered. */
  readonly done: Promise<void>;
  stalls = 0;
  private workers: Worker[] = [];
  private exited: Promise<void>[] = [];
  private stopping = false;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;

  constructor(
    private readonly producers: NoteProducer[],
    private readonly merger: TraceMerger,
    private readonly onJoined: () => void,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
  }

  /** Starts one thread per loop; resolves when every loop is running, rejects if one fails. */
  async start(initFor: (index: number) => LoopWorkerInit): Promise<void> {
    const started = this.producers.map((_, index) => this.spawn(initFor(index)));
    void Promise.all(this.exited).then(() => this.joined());
    const results = await Promise.allSettled(started);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.stop();
      throw failed.reason;
    }
  }

  private spawn(init: LoopWorkerInit): Promise<void> {
    // The thread imports the handler module too: bundled like the entry when it is TypeScript,
    // or, if it cannot be, the thread registers tsx and imports the source.
    const source = handlerUrl(init.handler.module);
    const module = workerModuleUrl(source);
    const w = startWorker(
      ENTRY,
      {
        workerData: { ...init, handler: { ...init.handler, module: module ?? source } },
        execArgv: [],
        resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64 },
      },
      module === null,
    );
    this.workers.push(w);
    let closed = false;
    this.exited.push(
      new Promise((resolve) => {
        w.once('exit', () => {
          if (!closed) this.merger.finish(init.index);
          resolve();
        });
      }),
    );
    const timer = () => setTimeout(() => void w.terminate(), JOIN_TIMEOUT_MS).unref();
    return new Promise((resolve, reject) => {
      w.on('message', (m: LoopWorkerMessage) => {
        if (m.type === 'started') resolve();
        else if (m.type === 'stop') void this.stop();
        else if (m.type === 'failed') {
          reject(new Error(`loop ${init.index}: ${m.error}`));
          void this.stop();
          void w.terminate();
        } else if (m.type === 'closed') {
          closed = true;
          this.stalls += m.stalls;
          this.merger.finish(init.index);
          void w.terminate();
        }
      });
      w.on('error', (err) => {
        reject(err);
        void this.stop();
        timer();
      });
      w.once('exit', (code) => reject(new Error(`loop ${init.index} exited (code ${code}) before starting`)));
    });
  }

  /** evio's shutdown: a note to every loop, then wait for every thread to exit. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      for (const p of this.producers) p.send({ type: 'shutdown' });
      for (const w of this.workers) setTimeout(() => void w.terminate(), JOIN_TIMEOUT_MS).unref();
    }
    return this.done;
  }

  private joined(): void {
    try {
      this.onJoined();
    } finally {
      // Rejects `done` when the last events cannot be delivered (a spill that cannot be read).
      this.merger.end().then(this.resolveDone, this.rejectDone);
    }
  }
}
