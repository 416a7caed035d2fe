import type { EventOfKind, TraceEvent } from '@loopscope/trace';
import type { LoadBalance } from '../../src/core/api';
import type { ModeName } from '../../src/core/modes';
import { createSimRun } from '../../src/sim/run';

/** Runs a scenario to the end and returns every event. */
export function runAll(
  scenario: string,
  mode: ModeName,
  loops = 1,
  opts: { seed?: number; balance?: LoadBalance; params?: Record<string, number | string | boolean> } = {},
): TraceEvent[] {
  const run = createSimRun({
    scenario,
    mode,
    loops,
    balance: opts.balance ?? 'random',
    seed: opts.seed ?? 1,
    params: opts.params ?? {},
  });
  const all: TraceEvent[] = [];
  for (let i = 0; i < 100_000 && !run.done; i++) all.push(...run.advance(500));
  if (!run.done) throw new Error(`${scenario} did not finish`);
  return all;
}

export function ofKind<K extends TraceEvent['kind']>(events: TraceEvent[], kind: K): EventOfKind<K>[] {
  return events.filter((e): e is EventOfKind<K> => e.kind === kind);
}

/** The fds of the server's listeners. */
export function listenerFds(events: TraceEvent[]): Set<number> {
  return new Set(ofKind(events, 'listener').map((e) => e.fd));
}

/** The fds in a wait-return's ready list. */
export function readyFds(e: EventOfKind<'wait-return'>): number[] {
  return e.ready.filter((_, i) => i % 2 === 0);
}
