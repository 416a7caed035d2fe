/**
 * evio facts about output (spec §2.8, §2.9): Close waits for pending output; a big reply reaches a
 * slow reader byte-exact through partial writes; nothing is read while output is pending; a peer
 * that sends while not reading makes the loop spin on EAGAIN writes.
 */
import type { Socket } from 'node:net';
import { computeStats, EV, type EventOfKind, type TraceEvent } from '@loopscope/trace';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from './clients';
import {
  acceptOf,
  fixture,
  ofConn,
  ofKind,
  readToEnd,
  readyMask,
  sha256,
  sharedBlob,
  sleep,
  traced,
  waitFor,
  waitForCount,
} from './facts-helpers';

const MiB = 1 << 20;

describe('evio facts: output', () => {
  it('Close flushes pending output first: 16 MiB + Close arrive whole, then EOF', async () => {
    // 16 MiB: loopback with the kernel's autotuned buffers has taken 4 MiB in one write.
    const blob = sharedBlob(16 * MiB);
    const { server, events } = await traced({
      handler: { module: fixture('facts-blob'), params: { blob: blob.sab, close: true } },
    });
    const c = await connect(server.addrs[0]!);
    const { fd, gen } = await acceptOf(events, c);
    c.pause();
    c.write('go');
    // The client does not read yet: the reply cannot fit in the socket buffers, Close must wait.
    await waitFor(events, 'write', (e) => e.fd === fd && e.gen === gen && e.result !== 'full');
    const received = readToEnd(c);
    c.resume();
    const got = await received;
    await waitFor(events, 'close', (e) => e.fd === fd && e.gen === gen);
    await server.stop();

    expect(got.length).toBe(16 * MiB);
    expect(sha256(got)).toBe(sha256(blob.view));
    const mine = ofConn(events, fd, gen);
    const writes = ofKind(mine, 'write');
    const action = ofKind(mine, 'action')[0]!;
    const close = ofKind(mine, 'close')[0]!;
    expect(writes.reduce((s, e) => s + e.written, 0)).toBe(16 * MiB);
    expect(writes.length).toBeGreaterThan(1);
    expect(action.action).toBe('close');
    expect(action.seq).toBeGreaterThan(writes.at(-1)!.seq);
    expect(close).toMatchObject({ reason: 'action', errno: null, discarded: 0 });
  });

  describe('16 MiB to a client that reads slowly; again to one that stops, sends "ping", then reads', () => {
    const blob = sharedBlob(16 * MiB);
    let events: TraceEvent[] = [];
    let slow: Buffer = Buffer.alloc(0);
    let stalled: Buffer = Buffer.alloc(0);
    let fd = -1;
    let gen = -1;
    let beforePing = 0;
    const isData = (e: EventOfKind<'handler'>) => e.handler === 'data' && e.fd === fd && e.gen === gen;

    beforeAll(async () => {
      const run = await traced({ handler: { module: fixture('facts-blob'), params: { blob: blob.sab } } });
      events = run.events;
      const c = await connect(run.server.addrs[0]!);
      ({ fd, gen } = await acceptOf(events, c));
      c.pause();
      c.write('go');
      await waitFor(events, 'write', (e) => e.fd === fd && e.gen === gen && e.result === 'partial');
      slow = await readFrom(c, 16 * MiB, 256 * 1024);
      // Second round: the client stops reading, then sends while the backlog is pending.
      c.write('go');
      const go2 = (await waitForCount(events, 'handler', 2, isData))[1]!;
      await waitFor(
        events,
        'write',
        (e) => e.seq > go2.seq && e.fd === fd && e.gen === gen && e.result === 'partial',
      );
      await sleep(50);
      beforePing = events.length;
      c.write('ping');
      await waitForCount(events, 'write', 20, (e) => e.fd === fd && e.gen === gen && e.result === 'eagain');
      stalled = await readFrom(c, 16 * MiB + 4, Number.POSITIVE_INFINITY);
      c.destroy();
      await run.server.stop();
    });

    it('arrives byte-exact (sha256) through partial writes, none lost or repeated', () => {
      expect(slow.length).toBe(16 * MiB);
      expect(sha256(slow)).toBe(sha256(blob.view));
      const writes = ofKind(ofConn(events, fd, gen), 'write');
      const blobWrites = writes.slice(0, writes.findIndex((e) => e.asked === e.written) + 1);
      expect(blobWrites.some((e) => e.result === 'partial')).toBe(true);
      // Each write asks for exactly what the previous one left: evio's out = out[n:].
      let left = 16 * MiB;
      for (const w of blobWrites) {
        expect(w.asked).toBe(left);
        left -= w.written;
      }
      expect(left).toBe(0);
      const stats = computeStats(null, events);
      expect(stats.partialWrites).toBeGreaterThan(0);
      expect(stats.outputBytesOverwritten).toBe(0);
    });

    it('reads nothing while output is pending: "ping" reaches Data after the last backlog write', () => {
      expect(stalled.length).toBe(16 * MiB + 4);
      expect(sha256(stalled.subarray(0, 16 * MiB))).toBe(sha256(blob.view));
      expect(stalled.subarray(16 * MiB).toString()).toBe('ping');
      const mine = ofConn(events, fd, gen);
      const data = ofKind(mine, 'handler', (e) => e.handler === 'data');
      expect(data.map((e) => e.inBytes)).toEqual([2, 2, 4]);
      const drained = mine.find((e) => e.seq > data[1]!.seq && e.kind === 'out' && e.pending === 0)!;
      expect(drained).toMatchObject({ cause: 'write' });
      expect(data[2]!.seq).toBeGreaterThan(drained.seq);
      expect(ofKind(mine, 'read', (e) => e.seq > data[1]!.seq && e.seq < drained.seq)).toEqual([]);
    });

    it('spins on EAGAIN writes, woken by EPOLLIN, only once the peer sends while not reading', () => {
      const eagain = (e: TraceEvent) => e.kind === 'write' && e.fd === fd && e.result === 'eagain';
      expect(events.slice(0, beforePing).filter(eagain)).toEqual([]);
      const spins = events.filter(eagain);
      expect(spins.length).toBeGreaterThanOrEqual(20);
      for (const w of spins) {
        const wake = events.findLast((e) => e.kind === 'wait-return' && e.loop === w.loop && e.seq < w.seq);
        if (wake?.kind !== 'wait-return') throw new Error('an EAGAIN write without a wait-return before it');
        const mask = readyMask(wake, fd);
        expect(mask & EV.IN).toBe(EV.IN);
        expect(mask & EV.OUT).toBe(0);
      }
      expect(computeStats(null, events).writesEagain).toBe(spins.length);
    });
  });
});

/** Reads exactly `n` bytes, pausing 1 ms after every `pauseEvery` bytes; leaves the socket paused. */
function readFrom(s: Socket, n: number, pauseEvery: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    let sincePause = 0;
    const onData = (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      sincePause += d.length;
      if (got >= n) {
        s.pause();
        s.off('data', onData);
        s.off('error', reject);
        const all = Buffer.concat(chunks);
        if (all.length > n) s.unshift(all.subarray(n));
        return resolve(all.subarray(0, n));
      }
      if (sincePause >= pauseEvery) {
        sincePause = 0;
        s.pause();
        setTimeout(() => s.resume(), 1);
      }
    };
    s.on('data', onData);
    s.once('error', reject);
    s.resume();
  });
}
