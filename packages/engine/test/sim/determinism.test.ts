import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/sim/prng';
import { createSimRun } from '../../src/sim/run';
import { ofKind, runAll } from './helpers';

describe('determinism', () => {
  it('the PRNG gives the same sequence for the same seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 8 }, () => a.next());
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.next())).not.toEqual(sa);
    for (const x of sa) expect(x >= 0 && x < 1).toBe(true);
  });

  it('the same seed gives the same run, byte for byte', () => {
    for (const scenario of ['herd', 'echo', 'slow-reader', 'wake-overwrite']) {
      const params: Record<string, number> = scenario === 'echo' ? { clients: 4 } : {};
      const a = JSON.stringify(runAll(scenario, 'evio', 3, { seed: 7, params }));
      const b = JSON.stringify(runAll(scenario, 'evio', 3, { seed: 7, params }));
      expect(a).toBe(b);
    }
  });

  it('different seeds change who wins the race', () => {
    const winners = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const won = ofKind(runAll('herd', 'evio', 3, { seed }), 'accept').filter((e) => e.outcome === 'won');
      winners.add(won.map((e) => e.loop).join(','));
    }
    expect(winners.size).toBeGreaterThan(1);
  });

  it('stepping one scheduler step at a time gives the same events as advancing in batches', () => {
    const opts = {
      scenario: 'echo',
      mode: 'evio' as const,
      loops: 2,
      balance: 'random' as const,
      seed: 3,
      params: {},
    };
    const run = createSimRun(opts);
    const stepped = [];
    let steps = 0;
    while (!run.done) {
      stepped.push(...run.step());
      steps++;
    }
    expect(steps).toBeGreaterThan(20);
    expect(JSON.stringify(stepped)).toBe(JSON.stringify(runAll('echo', 'evio', 2, { seed: 3 })));
    expect(stepped.map((e) => e.seq)).toEqual(stepped.map((_, i) => i));
    expect(stepped.at(-1)?.kind).toBe('end');
    for (let i = 1; i < stepped.length; i++) expect(stepped[i]!.t).toBeGreaterThanOrEqual(stepped[i - 1]!.t);
  });

  it('the header says sim, with the seed and the resolved parameters', () => {
    const run = createSimRun({
      scenario: 'herd',
      mode: 'exclusive',
      loops: 2,
      balance: 'round-robin',
      seed: 9,
      params: { conns: 3 },
    });
    expect(run.header.source).toEqual({ type: 'sim', program: null, pids: [], seed: 9 });
    expect(run.header.mode).toBe('exclusive');
    expect(run.header.balance).toBe('round-robin');
    expect(run.header.scenario?.params.conns).toBe(3);
    expect(run.header.scenario?.params.gapUs).toBe(200);
  });

  it('rejects bad options with clear errors', () => {
    const base = {
      scenario: 'echo',
      mode: 'evio' as const,
      loops: 1,
      balance: 'random' as const,
      seed: 1,
      params: {},
    };
    expect(() => createSimRun({ ...base, scenario: 'nope' })).toThrow(/unknown scenario "nope"/);
    expect(() => createSimRun({ ...base, mode: 'fast' as never })).toThrow(/unknown mode/);
    expect(() => createSimRun({ ...base, loops: 0 })).toThrow(/loops must be/);
    expect(() => createSimRun({ ...base, seed: 1.5 })).toThrow(/seed must be/);
    expect(() => createSimRun({ ...base, params: { size: 0 } })).toThrow(/size must be between 1 and/);
    expect(() => createSimRun({ ...base, params: { color: 'red' } })).toThrow(/unknown parameter "color"/);
    expect(() => createSimRun({ ...base, params: { clients: 'many' } })).toThrow(
      /clients must be an integer/,
    );
    expect(createSimRun({ ...base, params: { clients: '2' } }).header.scenario?.params.clients).toBe(2);
  });
});
