import { describe, expect, it } from 'vitest';
import {
  computeStats,
  decodeRecording,
  StatsAccumulator,
  type TraceEvent,
  type TraceEventDraft,
} from '../src/index';
import { FIXTURE } from './helpers';

describe('stats on the evio echo fixture', () => {
  const r = decodeRecording(FIXTURE);
  const s = computeStats(r.header, r.events);

  it('counts what evio does for 1 connection and 2 echoes', () => {
    expect(s).toMatchObject({
      events: 52,
      loops: 1,
      connections: 1,
      wakeups: 7,
      acceptsWon: 1,
      acceptsDeclined: 0,
      acceptsEagain: 0,
      listenerWakeupsPerAccept: 1,
      ctlAdd: 3,
      ctlMod: 5,
      ctlDel: 0,
      reads: 3,
      writes: 2,
      writesEagain: 0,
      partialWrites: 0,
      bytesRead: 14,
      bytesWritten: 14,
      outputBytesOverwritten: 0,
      syscalls: 24,
      requests: 2,
      syscallsPerRequest: 12,
      ctlModPerRequest: 2,
      clientBytesSent: 14,
      clientBytesVerified: 14,
      clientMismatches: 0,
      latencyP50Ns: 150000,
      latencyP99Ns: 160000,
      durationNs: 3100000,
      eagainWritesPerSecond: 0,
      complete: true,
    });
    expect(s.perLoop).toEqual([
      {
        loop: 0,
        waits: 7,
        wakeups: 7,
        acceptsWon: 1,
        acceptsDeclined: 0,
        acceptsEagain: 0,
        connections: 1,
        peakOpenConnections: 1,
        requests: 2,
        syscalls: 24,
      },
    ]);
  });

  it('streaming gives the same numbers as computeStats', () => {
    const acc = new StatsAccumulator(r.header);
    for (const ev of r.events) acc.add(ev);
    expect(acc.result()).toEqual(s);
  });
});

/** Builds numbered events from drafts (seq = index). */
function numbered(drafts: TraceEventDraft[]): TraceEvent[] {
  return drafts.map((d, seq) => ({ ...d, seq }) as TraceEvent);
}

describe('stats definitions', () => {
  it('herd: a listener learnt only from accept (as in strace imports) still counts its earlier wakeups', () => {
    const wr = (loop: number, t: number): TraceEventDraft => ({
      t,
      loop,
      kind: 'wait-return',
      n: 1,
      ready: [7, 1],
      errno: null,
      blockedNs: -1,
    });
    const acc = (loop: number, t: number, outcome: 'won' | 'eagain' | 'declined'): TraceEventDraft => ({
      t,
      loop,
      kind: 'accept',
      listenerFd: 7,
      outcome,
      fd: outcome === 'won' ? 17 : null,
      gen: outcome === 'won' ? 0 : null,
      remote: null,
      reason: null,
      errno: outcome === 'eagain' ? 'EAGAIN' : null,
    });
    const events = numbered([
      wr(0, 1),
      wr(1, 2),
      wr(2, 3),
      wr(3, 4),
      acc(0, 5, 'won'),
      acc(1, 6, 'eagain'),
      acc(2, 7, 'eagain'),
      acc(3, 8, 'declined'),
    ]);
    const s = computeStats(null, events);
    expect(s.loops).toBe(4);
    expect(s.listenerWakeupsPerAccept).toBe(4);
    expect([s.acceptsWon, s.acceptsEagain, s.acceptsDeclined]).toEqual([1, 2, 1]);
    // A decline makes no syscall: 4 waits + 1 won + 2 EAGAIN.
    expect(s.syscalls).toBe(7);
    expect(s.perLoop.map((l) => l.acceptsWon)).toEqual([1, 0, 0, 0]);
  });

  it('EAGAIN spin, overwrites, mismatches and nearest-rank percentiles', () => {
    const drafts: TraceEventDraft[] = [];
    for (let i = 0; i < 10; i++)
      drafts.push({
        t: i * 100_000_000,
        loop: 0,
        kind: 'write',
        fd: 9,
        gen: 1,
        sys: 'write',
        asked: 100,
        written: 0,
        result: 'eagain',
        errno: 'EAGAIN',
      });
    drafts.push({ t: 1e9, loop: 0, kind: 'overwrite', fd: 9, gen: 1, lost: 40, path: 'wake' });
    for (let i = 1; i <= 100; i++)
      drafts.push({ t: 1e9, loop: -1, kind: 'client-recv', client: 0, bytes: 1, latencyNs: i });
    drafts.push({ t: 1e9, loop: -1, kind: 'client-recv', client: 0, bytes: 1, latencyNs: -1 });
    drafts.push({
      t: 1e9,
      loop: -1,
      kind: 'client-verify',
      client: 0,
      bytes: 50,
      mismatches: 2,
      detail: 'x',
    });
    drafts.push({
      t: 1e9,
      loop: -1,
      kind: 'client-verify',
      client: 0,
      bytes: 30,
      mismatches: 0,
      detail: null,
    });
    const s = computeStats(null, numbered(drafts));
    expect(s.writesEagain).toBe(10);
    expect(s.durationNs).toBe(1e9);
    expect(s.eagainWritesPerSecond).toBe(10);
    expect(s.outputBytesOverwritten).toBe(40);
    expect(s.latencyP50Ns).toBe(50);
    expect(s.latencyP99Ns).toBe(99);
    expect(s.clientBytesVerified).toBe(30);
    expect(s.clientMismatches).toBe(2);
    expect(s.complete).toBe(false);
  });

  it('no requests gives 0 ratios, not NaN', () => {
    const s = computeStats(null, []);
    expect([s.syscallsPerRequest, s.ctlModPerRequest, s.listenerWakeupsPerAccept]).toEqual([0, 0, 0]);
    expect(s.latencyP50Ns).toBeNull();
    expect(s.kernelWakeupsPerAccept).toBeNull();
  });

  it("kernel wake-ups per accept: the herd-wakeups events' sums, not syscalls", () => {
    const herd = (seq: number, accepts: number, woken: number, visible: number): TraceEvent => ({
      seq,
      t: seq,
      loop: -1,
      kind: 'herd-wakeups',
      accepts,
      woken,
      visible,
    });
    const s = computeStats(null, [herd(0, 4, 12, 5), herd(1, 2, 4, 2)]);
    expect(s.kernelWakeupsPerAccept).toBeCloseTo(16 / 6, 10);
    expect(s.syscalls).toBe(0);
    expect(computeStats(null, [herd(0, 0, 0, 0)]).kernelWakeupsPerAccept).toBeNull();
  });
});
