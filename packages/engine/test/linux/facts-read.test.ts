/**
 * evio facts about input: one read of at most 65535 bytes per event (the loop's shared buffer),
 * and ReuseInputBuffer (evio's TestReuseInputBuffer): `in` aliases that buffer, or is a copy.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { closeAndWait, connect } from './clients';
import { acceptOf, fixture, ofKind, sleep, traced, waitForCount } from './facts-helpers';

describe('evio facts: input', () => {
  it('delivers 1 MiB sent at once as Data calls of at most 65535 bytes, summing exactly', async () => {
    const { server, events } = await traced({
      handler: { module: fixture('facts-sink'), params: { firstWaitMs: 150 } },
    });
    const c = await connect(server.addrs[0]!);
    const { fd, gen } = await acceptOf(events, c);
    const total = 1 << 20;
    c.write(randomBytes(total));
    const done = () =>
      ofKind(events, 'read', (e) => e.fd === fd && e.gen === gen).reduce((s, e) => s + e.bytes, 0);
    for (let i = 0; i < 1000 && done() < total; i++) await sleep(10);
    await closeAndWait(c);
    await server.stop();

    const reads = ofKind(events, 'read', (e) => e.fd === fd && e.gen === gen && e.result === 'data');
    const data = ofKind(events, 'handler', (e) => e.handler === 'data' && e.fd === fd && e.gen === gen);
    expect(reads.every((e) => e.max === 65535 && e.bytes <= 65535)).toBe(true);
    expect(data.map((e) => e.inBytes)).toEqual(reads.map((e) => e.bytes));
    expect(data.reduce((s, e) => s + e.inBytes, 0)).toBe(total);
    // The first Data call slept while the client kept sending: the buffer, not the kernel, cut the next read.
    expect(Math.max(...data.map((e) => e.inBytes))).toBe(65535);
    // One read per event: every read follows its own wait-return.
    const seqs = new Set(reads.map((e) => e.seq));
    let readsInBatch = 0;
    for (const e of events) {
      if (e.loop !== reads[0]!.loop) continue;
      if (e.kind === 'wait-return') readsInBatch = 0;
      else if (seqs.has(e.seq)) expect(++readsInBatch).toBe(1);
    }
  });

  it('ReuseInputBuffer true aliases the loop buffer between calls; false gives a copy', async () => {
    const results = new SharedArrayBuffer(16);
    const { server, events } = await traced({
      addrs: ['tcp://127.0.0.1:0', 'tcp://127.0.0.1:0'],
      handler: { module: fixture('facts-reuse-input'), params: { results } },
    });
    for (const addr of server.addrs) {
      const c = await connect(addr);
      const { fd, gen } = await acceptOf(events, c);
      const isData = (e: { handler: string; fd: number | null; gen: number | null }) =>
        e.handler === 'data' && e.fd === fd && e.gen === gen;
      c.write('packet1');
      await waitForCount(events, 'handler', 1, isData);
      c.write('packet2');
      await waitForCount(events, 'handler', 2, isData);
      await closeAndWait(c);
    }
    await server.stop();
    // [reuse: "packet1" now reads "packet2", copy: still "packet1"], then [same ArrayBuffer, not].
    expect([...new Int32Array(results)]).toEqual([1, 2, 1, 0]);
  });
});
