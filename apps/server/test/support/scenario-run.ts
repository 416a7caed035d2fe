/**
 * Records a catalog scenario (real kernel, or the simulator) to a temporary file and reads it
 * back with its statistics, for the scenario tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimRun, type LoadBalance, type ModeName } from '@loopscope/engine';
import { computeStats, type TraceEvent, type TraceHeader, type TraceStats } from '@loopscope/trace';
import { readRecording } from '../../src/recording/index';
import { recordScenario } from '../../src/runs/record-run';
import { SCENARIOS } from '../../src/scenarios/catalog';

/** A recording read back. */
export interface Recorded {
  header: TraceHeader;
  events: TraceEvent[];
  stats: TraceStats;
}

/** What to run. */
export interface RunSpec {
  mode?: ModeName;
  loops?: number;
  balance?: LoadBalance;
  params?: Record<string, number | string | boolean>;
  /** Simulator seed: run in the simulator instead of on the real kernel. */
  seed?: number;
}

/** Records `scenario` and returns its header, events and stats. */
export async function record(scenario: string, spec: RunSpec = {}): Promise<Recorded> {
  const dir = await mkdtemp(join(tmpdir(), 'loopscope-scn-'));
  const out = join(dir, `${scenario}.ndjson`);
  try {
    await recordScenario({
      scenario,
      mode: spec.mode ?? 'evio',
      loops: spec.loops ?? 1,
      balance: spec.balance ?? 'random',
      params: spec.params ?? {},
      out,
      sim: spec.seed === undefined ? undefined : { seed: spec.seed },
      catalog: SCENARIOS,
    });
    let header: TraceHeader | null = null;
    const events: TraceEvent[] = [];
    const r = await readRecording(out, {
      onHeader: (h) => {
        header = h;
      },
      onEvents: (batch) => {
        events.push(...batch);
      },
    });
    if (r.error !== null) throw r.error;
    if (header === null) throw new Error(`${out}: no header`);
    return { header, events, stats: computeStats(header, events) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The events of one kind. */
export function ofKind<K extends TraceEvent['kind']>(events: TraceEvent[], kind: K) {
  return events.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);
}

/** A whole simulated run's events (1 loop unless told, seed 1, default parameters unless told). */
export function simEvents(
  scenario: string,
  mode: ModeName,
  opts: { loops?: number; seed?: number; params?: Record<string, number> } = {},
): TraceEvent[] {
  const run = createSimRun({
    scenario,
    mode,
    loops: opts.loops ?? 1,
    balance: 'random',
    seed: opts.seed ?? 1,
    params: opts.params ?? {},
  });
  const all: TraceEvent[] = [];
  while (!run.done) all.push(...run.advance(4000));
  return all;
}
