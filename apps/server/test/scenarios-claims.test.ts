/**
 * The two write-loss scenarios on the real kernel (real loops, real loopback clients), each
 * asserted from its recording's statistics, and the agreement of each with the simulator.
 */
import type { ModeName } from '@loopscope/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalise } from './support/normalise';
import { ofKind, type Recorded, record, simEvents } from './support/scenario-run';

const runs = new Map<string, Recorded>();

beforeAll(async () => {
  // One after another: the runs share two cores with each other and with other test files.
  for (const [scenario, mode] of [
    ['write-loss-claim', 'evio'],
    ['write-loss-claim', 'read-first'],
    ['wake-overwrite', 'evio'],
    ['wake-overwrite', 'fixed-wake'],
  ] as const) {
    runs.set(`${scenario}/${mode}`, await record(scenario, { mode }));
  }
}, 90_000);

describe('write-loss-claim (real kernel, byte-verified by the client)', () => {
  it('evio: 0 bytes overwritten, every byte verified, the EAGAIN spin while REQ2 waits', () => {
    const { stats } = runs.get('write-loss-claim/evio')!;
    expect(stats.complete).toBe(true);
    expect(stats.outputBytesOverwritten).toBe(0);
    expect(stats.clientMismatches).toBe(0);
    expect(stats.clientBytesVerified).toBe(1024 * 1024 + 4096);
    expect(stats.partialWrites).toBeGreaterThan(0);
    expect(stats.writesEagain).toBeGreaterThan(0);
  });

  it("read-first: REQ2's read overwrites the pending tail ('overwrite' path 'read') and the client sees it", () => {
    const { stats, events } = runs.get('write-loss-claim/read-first')!;
    expect(stats.outputBytesOverwritten).toBeGreaterThan(0);
    expect(stats.clientMismatches).toBeGreaterThan(0);
    const ow = ofKind(events, 'overwrite');
    expect(ow).toHaveLength(1);
    expect(ow[0]!.path).toBe('read');
    const [verify] = ofKind(events, 'client-verify');
    expect(verify!.bytes).toBe(1024 * 1024 + 4096 - ow[0]!.lost);
  });
});

describe('wake-overwrite (real kernel: server.wake(fd, gen) from the main thread)', () => {
  it('evio: the Wake replaces the unsent tail; exactly those bytes never arrive', () => {
    const { stats, events } = runs.get('wake-overwrite/evio')!;
    const ow = ofKind(events, 'overwrite');
    expect(ow).toHaveLength(1);
    expect(ow[0]!.path).toBe('wake');
    expect(stats.outputBytesOverwritten).toBeGreaterThan(0);
    expect(ofKind(events, 'client-verify')[0]!.bytes).toBe(1024 * 1024 + 5 - ow[0]!.lost);
  });

  it('fixed-wake: nothing lost, every byte verified', () => {
    const { stats } = runs.get('wake-overwrite/fixed-wake')!;
    expect(stats.outputBytesOverwritten).toBe(0);
    expect(stats.clientMismatches).toBe(0);
    expect(stats.clientBytesVerified).toBe(1024 * 1024 + 5);
  });
});

describe('agreement: the simulator and the real kernel take the same steps', () => {
  for (const key of [
    'write-loss-claim/evio',
    'write-loss-claim/read-first',
    'wake-overwrite/evio',
    'wake-overwrite/fixed-wake',
  ]) {
    it(key, () => {
      const [scenario, mode] = key.split('/') as [string, ModeName];
      const real = normalise(runs.get(key)!.events);
      const sim = normalise(simEvents(scenario, mode));
      expect(real).toHaveLength(1);
      expect(real).toEqual(sim);
    });
  }

  it('the normalised sequences say what matters (and differ between the modes)', () => {
    const [evio] = normalise(runs.get('write-loss-claim/evio')!.events);
    const [readFirst] = normalise(runs.get('write-loss-claim/read-first')!.events);
    expect(evio).not.toContain('overwrite read');
    expect(readFirst).toContain('overwrite read');
    const [wake] = normalise(runs.get('wake-overwrite/evio')!.events);
    expect(wake).toContain('overwrite wake');
    expect(wake).toContain('handler wake +out close');
  });
});
