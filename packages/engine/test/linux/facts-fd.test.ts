/**
 * Facts about fd numbers: a fd closed and reused inside one epoll batch never gets its
 * predecessor's readiness (the loop snapshots conn generations at wait time), and thousands of
 * connect/close cycles leak no fd and no thread.
 */
import { EV } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { closeAndWait, connect, readExactly } from './clients';
import {
  acceptOf,
  fdCount,
  fillFdHoles,
  fixture,
  ofKind,
  readyMask,
  sleep,
  threadCount,
  traced,
  waitFor,
} from './facts-helpers';

describe('evio facts: fd numbers', () => {
  it('a fd closed and reused in one batch never receives its predecessor readiness', async () => {
    const holes: (() => void)[] = [];
    const gate = new SharedArrayBuffer(12);
    const { server, events } = await traced({ handler: { module: fixture('facts-hold'), params: { gate } } });
    try {
      const idle = async (s: Awaited<ReturnType<typeof connect>>) => {
        const { fd, gen } = await acceptOf(events, s);
        await waitFor(
          events,
          'ctl',
          (e) => e.fd === fd && e.gen === gen && e.op === 'mod' && e.new === EV.IN,
        );
        return { fd, gen };
      };
      const a = await connect(server.addrs[0]!);
      const A = await idle(a);
      const h = await connect(server.addrs[0]!);
      await idle(h);
      await sleep(20);
      // Block the loop in h's Data, then make ready, in this order: the eventfd (a wake of A,
      // whose Data throws: A is closed in the notes phase), the listener (B), and A itself.
      h.write('hold');
      while (Atomics.load(new Int32Array(gate), 0) === 0) await sleep(1);
      server.wake(A.fd, A.gen);
      const b = await connect(server.addrs[0]!);
      a.write('more');
      a.on('error', () => {});
      await sleep(30);
      // Fill every lower hole (other threads open and close fds too): once A is closed, its fd
      // is the lowest free number, the one accept4 returns.
      holes.push(fillFdHoles());
      const g = new Int32Array(gate);
      Atomics.store(g, 1, 1);
      Atomics.notify(g, 1);
      // Block this thread until B is opened: A's close sends the client "a" a RST, and if this
      // thread closed "a" before the loop's accept4, B would get a's old fd number instead.
      Atomics.wait(g, 2, 2, 5000);
      const B = await acceptOf(events, b);
      b.write('still works');
      expect((await readExactly(b, 11)).toString()).toBe('still works');
      await closeAndWait(b);
      h.destroy();
      a.destroy();
      await server.stop();

      const closeA = ofKind(events, 'close', (e) => e.fd === A.fd && e.gen === A.gen)[0]!;
      expect(closeA).toMatchObject({ reason: 'error', errno: 'wake throws' });
      expect(B.fd).toBe(A.fd); // the fd number was reused...
      expect(B.gen).not.toBe(A.gen);
      const batch = events.findLast((e) => e.kind === 'wait-return' && e.seq < closeA.seq)!;
      if (batch.kind !== 'wait-return') throw new Error('no batch');
      const ln = ofKind(events, 'listener')[0]!.fd;
      const order = batch.ready.filter((_, i) => i % 2 === 0);
      // ...inside one batch whose ready list had the listener before A's readiness.
      expect(order.indexOf(ln)).toBeGreaterThanOrEqual(0);
      expect(order.indexOf(A.fd)).toBeGreaterThan(order.indexOf(ln));
      expect(readyMask(batch, A.fd) & EV.IN).toBe(EV.IN);
      const next = events.find((e) => e.kind === 'wait-return' && e.seq > batch.seq)!;
      expect(B.seq).toBeLessThan(next.seq);
      const stale = ofKind(events, 'mark', (e) => e.seq > B.seq && e.seq < next.seq);
      expect(stale.map((e) => e.text)).toEqual([`stale readiness for fd ${A.fd} (gen ${A.gen}) skipped`]);
      // B was not opened, read or written for A's event: its first event is after the next wait.
      const early = events.filter((e) => 'gen' in e && e.gen === B.gen && e.seq > B.seq && e.seq < next.seq);
      expect(early.map((e) => e.kind)).toEqual(['sys', 'sys', 'ctl']); // fcntl, fcntl, add IN|OUT
      const opened = ofKind(events, 'opened', (e) => e.gen === B.gen)[0]!;
      expect(opened.seq).toBeGreaterThan(next.seq);
    } finally {
      for (const release of holes) release();
    }
  });

  it('2,000 connect/echo/close cycles leak no fd and no thread', { timeout: 60_000 }, async () => {
    const fds = fdCount();
    const threads = threadCount();
    const { server, events } = await traced({ numLoops: 2, handler: { module: fixture('facts-blob') } });
    const running = fdCount();
    const cycles = 2000;
    const worker = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const s = await connect(server.addrs[0]!);
        s.write('x');
        expect((await readExactly(s, 1)).toString()).toBe('x');
        await closeAndWait(s);
      }
    };
    await Promise.all(Array.from({ length: 8 }, () => worker(cycles / 8)));
    await waitFor(events, 'close', () => ofKind(events, 'close').length >= cycles, 'every close');
    expect(fdCount()).toBe(running);
    await server.stop();
    expect(fdCount()).toBe(fds);
    for (let i = 0; i < 100 && threadCount() !== threads; i++) await sleep(10);
    expect(threadCount()).toBe(threads);
    expect(ofKind(events, 'accept', (e) => e.outcome === 'won')).toHaveLength(cycles);
    expect(ofKind(events, 'close', (e) => e.reason === 'eof')).toHaveLength(cycles);
  });
});
