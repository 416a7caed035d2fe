/**
 * Runs, one at a time: a scenario on the real engine, its events numbered in time order,
 * recorded losslessly to the data folder and published to the live hub. One run at a time
 * because the loops are real threads racing on real cores: a second run would steal their CPU
 * and distort exactly what is being shown (who wins the accept, how long a wait blocks).
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeHeader, type RunInfo, type TraceHeader } from '@loopscope/trace';
import type { EngineLoader } from '../engine/engine-types';
import { hostInfo } from '../host-info';
import type { LiveHub } from '../live/hub';
import type { Scenario } from '../scenarios/scenario';
import { executeRun } from './execute-run';
import { openRecordSink } from './record-sink';
import { NoRunError, RunBusyError, RunFailedError } from './run-errors';
import { parseRunRequest, type RunRequest } from './run-request';

/** What the run manager needs. */
export interface RunManagerOptions {
  dataDir: string;
  hub: LiveHub;
  catalog: ReadonlyMap<string, Scenario>;
  loadEngine: EngineLoader;
}

/** The latest run, its header, and statistics not in `RunInfo`. */
export interface RunSnapshot {
  run: RunInfo;
  header: TraceHeader;
  /** Events that came from the engine (the rest are client events, marks and `end`). */
  engineEvents: number;
  /** The engine's own count (`LinuxServer.eventCount`) when it stopped; null before. */
  engineCount: number | null;
  /** Events whose time was raised to keep the recording in order. */
  clamped: number;
}

const ACTIVE = new Set(['starting', 'running', 'stopping']);

export class RunManager {
  private latest: RunSnapshot | null = null;
  private abort: AbortController | null = null;
  private finished: Promise<void> | null = null;

  constructor(private readonly opts: RunManagerOptions) {}

  /** The current or latest run, or null if none ran yet. */
  snapshot(): RunSnapshot | null {
    return this.latest;
  }

  /** Whether a run is starting, running or stopping. */
  get active(): boolean {
    return this.latest !== null && ACTIVE.has(this.latest.run.state);
  }

  /**
   * Validates and starts a run; resolves once it runs.
   * @throws RunRequestError for bad input, RunBusyError if a run is active, RunFailedError if
   * it failed to start (it is still recorded and announced).
   */
  async start(raw: unknown): Promise<RunInfo> {
    const req = parseRunRequest(raw, this.opts.catalog);
    if (this.active)
      throw new RunBusyError(`run ${this.latest!.run.id} is ${this.latest!.run.state}: stop it first`);
    const snap = this.newSnapshot(req);
    this.latest = snap;
    this.abort = new AbortController();
    this.announce();
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    this.finished = this.execute(req, snap, this.abort.signal, started);
    await running;
    if (snap.run.state === 'failed') throw new RunFailedError(`run ${snap.run.id} failed: ${snap.run.error}`);
    return snap.run;
  }

  /** Stops the active run; resolves with its final state when it is finished. @throws NoRunError */
  async stop(): Promise<RunInfo> {
    if (!this.active) throw new NoRunError('no run is active');
    this.abort?.abort();
    await this.finished;
    return this.latest!.run;
  }

  /** Stops any active run and waits for it (server shutdown). */
  async close(): Promise<void> {
    this.abort?.abort();
    await this.finished;
  }

  /** Sends the latest run's state to every tab. */
  announce(): void {
    if (this.latest) this.opts.hub.announce({ ...this.latest.run }, this.latest.header);
  }

  private newSnapshot(req: RunRequest): RunSnapshot {
    const id = randomBytes(4).toString('hex');
    const created = new Date();
    const stamp = created.toISOString().replace(/[:.]/g, '-');
    const header = makeHeader({
      created: created.toISOString(),
      mode: req.mode,
      loops: req.loops,
      balance: req.balance,
      scenario: { name: req.scenario.name, params: req.params },
      host: hostInfo(),
      source: { type: 'engine', program: null, pids: [process.pid], seed: null },
    });
    const run: RunInfo = {
      id,
      state: 'starting',
      scenario: req.scenario.name,
      mode: req.mode,
      loops: req.loops,
      balance: req.balance,
      params: req.params,
      events: 0,
      recording: `${stamp}-${req.scenario.name}-${id}.ndjson`,
      listen: null,
      error: null,
    };
    return { run, header, engineEvents: 0, engineCount: null, clamped: 0 };
  }

  private async execute(req: RunRequest, snap: RunSnapshot, signal: AbortSignal, started: () => void) {
    const { run } = snap;
    try {
      await mkdir(this.opts.dataDir, { recursive: true });
      const sink = await openRecordSink(join(this.opts.dataDir, run.recording!), snap.header);
      await executeRun({
        req,
        snap,
        sink,
        signal,
        hub: this.opts.hub,
        loadEngine: this.opts.loadEngine,
        onState: () => {
          if (run.state === 'running') started();
          this.announce();
        },
      });
      run.state = 'finished';
    } catch (err) {
      run.state = 'failed';
      run.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.announce();
      started();
    }
  }
}
