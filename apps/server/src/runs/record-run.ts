/**
 * One scenario recorded to a file without the HTTP server: on the real kernel through the same
 * run machinery the server uses (`executeRun`: serve, scenario clients, sequencer, record sink),
 * or in the simulator (`createSimRun`). Used by `loopscope record` and by the scenario tests.
 */
import { randomBytes } from 'node:crypto';
import { createSimRun, type LoadBalance, type ModeName } from '@loopscope/engine';
import { makeHeader, type RunInfo, type TraceHeader } from '@loopscope/trace';
import type { EngineLoader } from '../engine/engine-types';
import { loadLinuxEngine } from '../engine/load-engine';
import { hostInfo } from '../host-info';
import { DEFAULT_HUB_LIMITS, LiveHub } from '../live/hub';
import { RecordingWriter } from '../recording/index';
import type { ParamValues, Scenario } from '../scenarios/scenario';
import { executeRun } from './execute-run';
import { openRecordSink } from './record-sink';
import { parseRunRequest } from './run-request';

/** What to record. */
export interface RecordOptions {
  scenario: string;
  mode: ModeName;
  loops: number;
  balance: LoadBalance;
  /** Raw parameters (strings from the command line are converted for numeric parameters). */
  params: Record<string, string | number | boolean>;
  out: string;
  /** Run in the simulator with this seed instead of on the real kernel. */
  sim?: { seed: number };
  catalog: ReadonlyMap<string, Scenario>;
  /** Called now and then with the events written so far. */
  onProgress?: (events: number) => void;
  /** Stops a real run early (the recording is still closed properly). */
  signal?: AbortSignal;
  loadEngine?: EngineLoader;
}

/** What was recorded. */
export interface RecordResult {
  header: TraceHeader;
  events: number;
}

/** Records a scenario to `opts.out`; throws a clear error for bad options or a failed run. */
export async function recordScenario(opts: RecordOptions): Promise<RecordResult> {
  return opts.sim ? recordSim(opts, opts.sim.seed) : recordReal(opts);
}

async function recordSim(opts: RecordOptions, seed: number): Promise<RecordResult> {
  const run = createSimRun({
    scenario: opts.scenario,
    mode: opts.mode,
    loops: opts.loops,
    balance: opts.balance,
    seed,
    params: opts.params,
  });
  const writer = new RecordingWriter();
  await writer.open(opts.out, run.header);
  try {
    while (!run.done) {
      await writer.write(run.advance(4000));
      opts.onProgress?.(writer.events);
    }
  } finally {
    await writer.close();
  }
  return { header: run.header, events: writer.events };
}

async function recordReal(opts: RecordOptions): Promise<RecordResult> {
  const scenario = opts.catalog.get(opts.scenario);
  const params: ParamValues = {};
  for (const [k, v] of Object.entries(opts.params)) {
    const spec = scenario?.params.find((p) => p.name === k);
    // Numeric parameters come from the command line as text.
    params[k] = spec && spec.min !== null && typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  }
  const req = parseRunRequest(
    { scenario: opts.scenario, mode: opts.mode, loops: opts.loops, balance: opts.balance, params },
    opts.catalog,
  );
  const header = makeHeader({
    created: new Date().toISOString(),
    mode: req.mode,
    loops: req.loops,
    balance: req.balance,
    scenario: { name: req.scenario.name, params: req.params },
    host: hostInfo(),
    source: { type: 'engine', program: 'loopscope record', pids: [process.pid], seed: null },
  });
  const run: RunInfo = {
    id: randomBytes(4).toString('hex'),
    state: 'starting',
    scenario: req.scenario.name,
    mode: req.mode,
    loops: req.loops,
    balance: req.balance,
    params: req.params,
    events: 0,
    recording: opts.out,
    listen: null,
    error: null,
  };
  const sink = await openRecordSink(opts.out, header);
  // Nobody watches live: a hub with a one-event window keeps the memory flat.
  const hub = new LiveHub('loopscope record', { ...DEFAULT_HUB_LIMITS, windowEvents: 1 });
  const timer = setInterval(() => opts.onProgress?.(run.events), 250);
  try {
    await executeRun({
      req,
      snap: { run, header, engineEvents: 0, engineCount: null, clamped: 0 },
      sink,
      signal: opts.signal ?? new AbortController().signal,
      hub,
      loadEngine: opts.loadEngine ?? loadLinuxEngine,
      onState: () => undefined,
    });
  } finally {
    clearInterval(timer);
    hub.close();
  }
  opts.onProgress?.(run.events);
  return { header, events: run.events };
}
