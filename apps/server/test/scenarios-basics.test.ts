/**
 * echo, open-wake, slow-reader and load on the real kernel, asserted from their recordings'
 * statistics; the agreement of echo and open-wake with the simulator; and the simulator's
 * determinism for every scenario of the catalog.
 */
import { createSimRun, SIM_SCENARIO_NAMES } from '@loopscope/engine';
import { encodeEvent } from '@loopscope/trace';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../src/scenarios/catalog';
import { normalise } from './support/normalise';
import { ofKind, type Recorded, record, simEvents } from './support/scenario-run';

const runs = new Map<string, Recorded>();

beforeAll(async () => {
  runs.set('echo/evio', await record('echo', { mode: 'evio', params: { messages: 5 } }));
  runs.set('echo/direct-write', await record('echo', { mode: 'direct-write', params: { messages: 5 } }));
  runs.set('open-wake/evio', await record('open-wake', { mode: 'evio' }));
  runs.set('slow-reader/evio', await record('slow-reader', { mode: 'evio', params: { payload: 262144 } }));
  runs.set('load/evio', await record('load', { mode: 'evio', params: { connections: 4, ms: 500 } }));
  runs.set(
    'load/direct-write',
    await record('load', { mode: 'direct-write', params: { connections: 4, ms: 500 } }),
  );
}, 100_000);

describe('echo (1 connection, real kernel)', () => {
  it('evio: exactly 2 epoll_ctl MODs per reply (IN -> IN|OUT after Data, back after the write)', () => {
    const { stats } = runs.get('echo/evio')!;
    expect(stats.requests).toBe(5);
    expect(stats.ctlModPerRequest).toBe(2);
    expect(stats.clientMismatches).toBe(0);
    expect(stats.clientBytesVerified).toBe(5 * 64);
  });

  it('direct-write: no MOD around replies', () => {
    const { stats } = runs.get('echo/direct-write')!;
    expect(stats.requests).toBe(5);
    expect(stats.ctlModPerRequest).toBe(0);
    expect(stats.clientBytesVerified).toBe(5 * 64);
  });
});

describe('open-wake (real kernel)', () => {
  it('the first wake-up after accept is EPOLLOUT: Opened runs, then MOD IN|OUT -> IN', () => {
    const { events } = runs.get('open-wake/evio')!;
    const conn = ofKind(events, 'accept').find((e) => e.outcome === 'won')!;
    const after = events.filter((e) => e.seq > conn.seq && e.loop === conn.loop);
    const wake = ofKind(after, 'wait-return').find((e) => e.ready.includes(conn.fd!))!;
    expect(wake.ready[wake.ready.indexOf(conn.fd!) + 1]! & 4).toBe(4);
    const next = after.filter((e) => e.seq > wake.seq && (e.kind === 'opened' || e.kind === 'ctl'));
    expect(next[0]?.kind).toBe('opened');
    expect(next[1]).toMatchObject({ kind: 'ctl', op: 'mod', fd: conn.fd, old: 5, new: 1 });
  });
});

describe('slow-reader (real kernel)', () => {
  it('partial writes, the EAGAIN spin, and no byte lost', () => {
    const { stats } = runs.get('slow-reader/evio')!;
    expect(stats.partialWrites).toBeGreaterThan(0);
    expect(stats.writesEagain).toBeGreaterThan(0);
    expect(stats.eagainWritesPerSecond).toBeGreaterThan(0);
    expect(stats.outputBytesOverwritten).toBe(0);
    expect(stats.clientMismatches).toBe(0);
    expect(stats.clientBytesVerified).toBe(262144);
  });
});

describe('load (real kernel, 4 clients for 0.5 s)', () => {
  it('every reply verified; direct-write makes fewer syscalls per request than evio', () => {
    const evio = runs.get('load/evio')!.stats;
    const direct = runs.get('load/direct-write')!.stats;
    for (const s of [evio, direct]) {
      expect(s.requests).toBeGreaterThan(20);
      expect(s.clientMismatches).toBe(0);
    }
    expect(evio.ctlModPerRequest).toBeGreaterThan(1.5);
    expect(direct.ctlModPerRequest).toBeLessThan(0.5);
    expect(direct.syscallsPerRequest).toBeLessThan(evio.syscallsPerRequest);
  });
});

describe('agreement with the simulator (1 loop)', () => {
  for (const key of ['echo/evio', 'echo/direct-write', 'open-wake/evio']) {
    it(key, () => {
      const [scenario, mode] = key.split('/') as [string, 'evio'];
      const real = normalise(runs.get(key)!.events);
      expect(real).toHaveLength(1);
      expect(real).toEqual(normalise(simEvents(scenario, mode)));
    });
  }
});

describe('the catalog', () => {
  it('every scenario but the hand-driven playground also runs in the simulator', () => {
    const names = [...SCENARIOS.keys()].filter((n) => n !== 'playground');
    expect(names.sort()).toEqual([...SIM_SCENARIO_NAMES].sort());
  });

  it('the same seed gives the same simulated recording, byte for byte, for every scenario', () => {
    for (const scenario of SIM_SCENARIO_NAMES) {
      const once = (seed: number) => {
        const run = createSimRun({
          scenario,
          mode: 'evio',
          loops: 2,
          balance: 'random',
          seed,
          params: {},
          created: 'x',
        });
        let text = JSON.stringify(run.header);
        while (!run.done) for (const e of run.advance(4000)) text += encodeEvent(e);
        return text;
      };
      expect(once(5), scenario).toBe(once(5));
    }
  });
});
