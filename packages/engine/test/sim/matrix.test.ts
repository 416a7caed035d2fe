import { describe, expect, it } from 'vitest';
import { MODE_NAMES } from '../../src/core/modes';
import { SIM_SCENARIO_NAMES } from '../../src/sim/scenarios/index';
import { ofKind, runAll } from './helpers';

describe('every scenario in every mode', () => {
  for (const scenario of SIM_SCENARIO_NAMES) {
    it(`${scenario} finishes in every mode with 2 loops, without faults or limits`, () => {
      for (const mode of MODE_NAMES) {
        const events = runAll(scenario, mode, 2, { balance: 'round-robin', seed: 11 });
        expect(events.at(-1)?.kind).toBe('end');
        expect(ofKind(events, 'fault')).toEqual([]);
        const limits = ofKind(events, 'mark').filter((m) => /limit|nothing can run/.test(m.text));
        expect(limits).toEqual([]);
        expect(ofKind(events, 'loop-stop')).toHaveLength(2);
      }
    });
  }

  it('a run that hits its step limit still shuts down cleanly and ends', () => {
    const events = runAll('slow-reader', 'evio', 1, { params: { maxSteps: 200 } });
    expect(ofKind(events, 'mark').some((m) => m.text === 'step limit (200) reached')).toBe(true);
    expect(ofKind(events, 'loop-stop')).toHaveLength(1);
    expect(ofKind(events, 'close').map((c) => c.reason)).toEqual(['shutdown']);
    expect(events.at(-1)).toMatchObject({ kind: 'end', events: events.length - 1 });
  });
});
