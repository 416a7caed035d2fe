/**
 * The scenarios of several loops on the real kernel: the thundering herd under each listener
 * mode (and its invariants against the simulator's), and head-of-line blocking.
 */
import { computeStats, type TraceEvent } from '@loopscope/trace';
import { beforeAll, describe, expect, it } from 'vitest';
import { ofKind, type Recorded, record, simEvents } from './support/scenario-run';

const HERD = { connections: 12, gapMs: 20 };
const runs = new Map<string, Recorded>();

beforeAll(async () => {
  for (const mode of ['evio', 'exclusive', 'reuseport'] as const) {
    runs.set(`herd/${mode}`, await record('herd', { mode, loops: 3, params: HERD }));
  }
  runs.set(
    'head-of-line',
    await record('head-of-line', {
      loops: 2,
      // least-connections spreads the conns over both loops; round-robin can drift (a late loop
      // bumps evio's counter, then gets EAGAIN) and put them all on one loop.
      balance: 'least-connections',
      params: { connections: 6, messages: 6, busyMs: 20, gapMs: 30 },
    }),
  );
}, 100_000);

/** The herd scenario's own count (its `herd-wakeups` event): loops woken per accept, hidden wake-ups included. */
function wokenPerAccept(events: TraceEvent[]): number {
  const per = computeStats(null, events).kernelWakeupsPerAccept;
  if (per === null) throw new Error('the herd-wakeups event is missing');
  const [ev] = ofKind(events, 'herd-wakeups');
  expect(ev!.visible).toBeLessThanOrEqual(ev!.woken);
  expect(ev!.accepts).toBeGreaterThan(0);
  expect(ev!.accepts).toBeLessThanOrEqual(computeStats(null, events).acceptsWon);
  return per;
}

/** For each won accept: whether the accepting loop registered that listener. */
function acceptedOwnListener(events: TraceEvent[]): boolean {
  const watched = new Map<number, Set<number>>();
  for (const l of ofKind(events, 'listener')) {
    if (!watched.has(l.loop)) watched.set(l.loop, new Set());
    watched.get(l.loop)!.add(l.fd);
  }
  return ofKind(events, 'accept')
    .filter((a) => a.outcome === 'won')
    .every((a) => watched.get(a.loop)?.has(a.listenerFd) === true);
}

describe('herd: 3 loops, 12 sequential connections (real kernel)', () => {
  it('evio: the kernel wakes every loop for every connection', () => {
    const { events, stats } = runs.get('herd/evio')!;
    expect(stats.acceptsWon).toBe(12);
    // Only the loops that get a CPU before the winner accepts return from epoll_wait with the
    // listener (1 to 3 on two busy cores); the others were woken, found nothing and slept again,
    // which their context switches show. All together: 3 per accept.
    expect(stats.listenerWakeupsPerAccept).toBeGreaterThanOrEqual(1);
    expect(stats.listenerWakeupsPerAccept).toBeLessThanOrEqual(3);
    expect(wokenPerAccept(events)).toBeGreaterThanOrEqual(2.5);
  });

  it('exclusive and reuseport: one loop per connection', () => {
    for (const mode of ['exclusive', 'reuseport']) {
      const { events, stats } = runs.get(`herd/${mode}`)!;
      expect(stats.acceptsWon, mode).toBe(12);
      expect(stats.listenerWakeupsPerAccept, mode).toBeLessThanOrEqual(1.5);
      expect(wokenPerAccept(events), mode).toBeLessThanOrEqual(1.5);
    }
    expect(runs.get('herd/reuseport')!.stats.acceptsEagain).toBe(0);
  });

  it('agrees with the simulator: wake-ups per accept, and who may accept', () => {
    const params = { conns: 8, gapUs: 2000 };
    const sim = (mode: 'evio' | 'exclusive' | 'reuseport') => simEvents('herd', mode, { loops: 3, params });
    expect(computeStats(null, sim('evio')).listenerWakeupsPerAccept).toBe(3);
    expect(wokenPerAccept(runs.get('herd/evio')!.events)).toBeGreaterThanOrEqual(2.5);
    for (const mode of ['exclusive', 'reuseport'] as const) {
      expect(computeStats(null, sim(mode)).listenerWakeupsPerAccept).toBe(1);
      expect(wokenPerAccept(runs.get(`herd/${mode}`)!.events)).toBeLessThanOrEqual(1.5);
    }
    for (const mode of ['evio', 'exclusive', 'reuseport'] as const) {
      const real = runs.get(`herd/${mode}`)!.events;
      expect(acceptedOwnListener(real), mode).toBe(true);
      expect(acceptedOwnListener(sim(mode)), mode).toBe(true);
      // reuseport: one listener per loop; otherwise one listener every loop watches.
      const fds = (evs: TraceEvent[]) => new Set(ofKind(evs, 'listener').map((l) => l.fd)).size;
      expect(fds(real), mode).toBe(mode === 'reuseport' ? 3 : 1);
      expect(fds(sim(mode)), mode).toBe(mode === 'reuseport' ? 3 : 1);
    }
  });
});

describe('head-of-line: 2 loops, client 0 makes Data burn 20 ms (real kernel)', () => {
  it("the slow loop's other connections wait; another loop's do not", () => {
    const { events } = runs.get('head-of-line')!;
    const loopOf = new Map<string, number>();
    for (const a of ofKind(events, 'accept'))
      if (a.outcome === 'won' && a.remote) loopOf.set(a.remote, a.loop);
    const clientLoop = new Map<number, number>();
    for (const c of ofKind(events, 'client-connect')) clientLoop.set(c.client, loopOf.get(c.local) ?? -1);
    const slowLoop = clientLoop.get(0)!;
    const lat = (sameLoop: boolean) =>
      ofKind(events, 'client-recv')
        .filter(
          (r) => r.client !== 0 && r.latencyNs >= 0 && (clientLoop.get(r.client) === slowLoop) === sameLoop,
        )
        .map((r) => r.latencyNs);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const same = lat(true);
    const other = lat(false);
    expect(same.length).toBeGreaterThan(0);
    expect(other.length).toBeGreaterThan(0);
    // Relative, with a wide margin: timings on shared cores are noisy.
    expect(mean(same)).toBeGreaterThan(1.5 * mean(other));
    for (const v of ofKind(events, 'client-verify')) expect(v.mismatches).toBe(0);
  });
});
