import { describe, expect, it } from 'vitest';
import { listenerFds, ofKind, readyFds, runAll } from './helpers';

/** For each won accept: the loops that woke for a listener since the previous one. */
function wakeupsPerAccept(mode: 'evio' | 'exclusive' | 'reuseport', loops: number) {
  const events = runAll('herd', mode, loops, { params: { conns: 8 } });
  const listeners = listenerFds(events);
  const perAccept: number[][] = [];
  let woke: number[] = [];
  let total = 0;
  for (const e of events) {
    if (e.kind === 'wait-return' && readyFds(e).some((fd) => listeners.has(fd))) {
      woke.push(e.loop);
      total++;
    }
    if (e.kind === 'accept' && e.outcome === 'won') {
      perAccept.push(woke.sort());
      woke = [];
    }
  }
  return { perAccept, total, events };
}

describe('thundering herd (3 loops, 8 sequential connections)', () => {
  it('evio: every accept is preceded by a listener wake-up in all 3 loops; the losers get EAGAIN', () => {
    const { perAccept, total, events } = wakeupsPerAccept('evio', 3);
    expect(perAccept).toHaveLength(8);
    for (const loops of perAccept) expect(loops).toEqual([0, 1, 2]);
    expect(total / perAccept.length).toBe(3);
    expect(ofKind(events, 'accept').filter((e) => e.outcome === 'eagain')).toHaveLength(16);
  });

  it('exclusive and reuseport: one listener wake-up per accept', () => {
    for (const mode of ['exclusive', 'reuseport'] as const) {
      const { perAccept, total, events } = wakeupsPerAccept(mode, 3);
      expect(perAccept).toHaveLength(8);
      expect(total / perAccept.length).toBe(1);
      expect(ofKind(events, 'accept').filter((e) => e.outcome === 'eagain')).toHaveLength(0);
    }
  });

  it('reuseport spreads the connections over more than one loop', () => {
    const { events } = wakeupsPerAccept('reuseport', 3);
    const loops = new Set(ofKind(events, 'accept').map((e) => e.loop));
    expect(loops.size).toBeGreaterThan(1);
  });
});

describe('write-loss claim', () => {
  it('evio: the second request waits for the pending output: 0 bytes lost, all 69632 verified, EAGAIN spin', () => {
    const events = runAll('write-loss-claim', 'evio');
    expect(ofKind(events, 'overwrite')).toHaveLength(0);
    const [v] = ofKind(events, 'client-verify');
    expect(v).toMatchObject({ bytes: 65536 + 4096, mismatches: 0 });
    expect(ofKind(events, 'write').filter((e) => e.result === 'eagain').length).toBeGreaterThan(0);
  });

  it('read-first: the read overwrites the pending tail and the client sees it', () => {
    const events = runAll('write-loss-claim', 'read-first');
    const ow = ofKind(events, 'overwrite');
    expect(ow).toHaveLength(1);
    expect(ow[0]).toMatchObject({ path: 'read' });
    expect(ow[0]!.lost).toBeGreaterThan(0);
    const [v] = ofKind(events, 'client-verify');
    expect(v!.mismatches).toBeGreaterThan(0);
    expect(v!.bytes).toBe(65536 + 4096 - ow[0]!.lost);
  });
});

describe('wake overwrite', () => {
  it('evio: a Wake while output is pending loses the unsent tail', () => {
    const events = runAll('wake-overwrite', 'evio');
    const ow = ofKind(events, 'overwrite');
    expect(ow).toHaveLength(1);
    expect(ow[0]).toMatchObject({ path: 'wake' });
    expect(ow[0]!.lost).toBeGreaterThan(0);
    const [v] = ofKind(events, 'client-verify');
    expect(v!.bytes).toBe(65536 + 5 - ow[0]!.lost);
  });

  it('fixed-wake: nothing lost, every byte verified', () => {
    const events = runAll('wake-overwrite', 'fixed-wake');
    expect(ofKind(events, 'overwrite')).toHaveLength(0);
    expect(ofKind(events, 'client-verify')[0]).toMatchObject({ bytes: 65536 + 5, mismatches: 0 });
  });
});

describe('echo and slow reader', () => {
  it('echo at 1 connection: exactly 2 epoll_ctl MODs per reply in evio (plus 1 after Opened)', () => {
    const messages = 7;
    const events = runAll('echo', 'evio', 1, { params: { messages } });
    const conn = ofKind(events, 'accept').find((e) => e.outcome === 'won')!;
    const mods = ofKind(events, 'ctl').filter(
      (e) => e.op === 'mod' && e.fd === conn.fd && e.gen === conn.gen,
    );
    const replies = ofKind(events, 'write').filter((e) => e.fd === conn.fd && e.result === 'full').length;
    expect(replies).toBe(messages);
    expect((mods.length - 1) / replies).toBe(2);
    const verifies = ofKind(events, 'client-verify');
    expect(verifies).toHaveLength(messages);
    for (const v of verifies) expect(v.mismatches).toBe(0);
    for (const r of ofKind(events, 'client-recv')) expect(r.latencyNs).toBeGreaterThan(0);
  });

  it('echo with many clients over several loops: every message verified, every conn closed on EOF', () => {
    const events = runAll('echo', 'evio', 4, { params: { clients: 8, messages: 3 } });
    const verifies = ofKind(events, 'client-verify');
    expect(verifies).toHaveLength(24);
    for (const v of verifies) expect(v.mismatches).toBe(0);
    expect(ofKind(events, 'close').filter((e) => e.reason === 'eof')).toHaveLength(8);
  });

  it('slow-reader: partial writes and EAGAIN writes, and no byte lost', () => {
    const events = runAll('slow-reader', 'evio');
    const writes = ofKind(events, 'write');
    expect(writes.filter((e) => e.result === 'eagain').length).toBeGreaterThan(0);
    expect(writes.filter((e) => e.result === 'partial').length).toBeGreaterThan(0);
    expect(ofKind(events, 'overwrite')).toHaveLength(0);
    expect(ofKind(events, 'client-verify')[0]).toMatchObject({ bytes: 131072, mismatches: 0 });
  });

  it('open-wake: the first wake-up after accept is EPOLLOUT; Opened; then MOD to IN', () => {
    const events = runAll('open-wake', 'evio');
    const conn = ofKind(events, 'accept').find((e) => e.outcome === 'won')!;
    const afterAccept = events.filter((e) => e.seq > conn.seq);
    const firstWake = ofKind(afterAccept, 'wait-return').find((e) => readyFds(e).includes(conn.fd!))!;
    expect(firstWake.ready).toEqual([conn.fd, 4]);
    const mod = ofKind(afterAccept, 'ctl').find((e) => e.op === 'mod')!;
    expect(mod).toMatchObject({ fd: conn.fd, old: 5, new: 1 });
  });
});
