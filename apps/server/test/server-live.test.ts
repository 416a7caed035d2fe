import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { decodeRecording } from '@loopscope/trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEngine } from './support/fake-engine';
import { api, type Harness, startHarness, startRun, WsClient } from './support/harness';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

let h: Harness;
const FLOOD = 250_000;
// A flood of events as fast as this process can number and record them: far more than a
// browser should be sent.
beforeAll(async () => {
  h = await startHarness({ loadEngine: fakeEngine({ flood: FLOOD }) });
});
afterAll(() => h.close());

describe('live stream under load', () => {
  it('keeps memory bounded with a stalled client, tells it what it missed, records everything', async () => {
    const stalled = await WsClient.open(h, h.server.url, true);
    const steady = await WsClient.open(h, h.server.url, true);
    await stalled.waitFor((m) => m.type === 'hello');
    stalled.ws.pause();
    const before = heapAfterGc();
    let peak = before;
    // Live heap (after a full GC), sampled while the flood runs: garbage is not growth.
    const sampler = setInterval(() => {
      peak = Math.max(peak, heapAfterGc());
    }, 1000);
    const started = Date.now();
    const run = await startRun(h, { scenario: 'playground', loops: 2, params: { duration: 30 } });
    await steady.waitForEnd(run.id, 100_000);
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const after = heapAfterGc();

    const current = await api(h, 'GET', '/api/runs/current');
    const total = current.body.run.events as number;
    const batches = steady.messages.filter((m) => m.type === 'batch' && m.runId === run.id).length;
    const rate = batches / seconds;
    console.log(
      `stalled client: ${total} events in ${seconds.toFixed(1)} s; heap before ${mb(before)}, peak ${mb(peak)}, ` +
        `after ${mb(after)}; steady client ${batches} batches (${rate.toFixed(1)}/s)`,
    );
    expect(total).toBeGreaterThan(FLOOD);
    // 250k events are ~60 MB as objects; the hub holds at most its window and the queues.
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
    expect(after - before).toBeLessThan(48 * 1024 * 1024);
    expect(rate).toBeLessThanOrEqual(70);

    stalled.ws.resume();
    const last = await stalled.waitForEnd(run.id, 20_000);
    expect(last.type).toBe('run');
    const got = stalled.received;
    const lastBatch = stalled.messages.filter((m) => m.type === 'batch').at(-1);
    expect(lastBatch?.type === 'batch' && lastBatch.dropped).toBe(total - got);
    expect(total - got).toBeGreaterThan(0);
    console.log(`stalled client received ${got} events, told it missed ${total - got}`);

    const rec = decodeRecording(await readFile(join(h.dataDir, run.recording!), 'utf8'));
    expect(rec.complete).toBe(true);
    expect(rec.events).toHaveLength(total);
    stalled.close();
    steady.close();
  }, 120_000);

  it('sends a run to two tabs, and resumes a reconnecting tab from its seq', async () => {
    const a = await WsClient.open(h);
    const b = await WsClient.open(h);
    const run = await startRun(h, { scenario: 'herd', loops: 2, params: { connections: 5 } });
    const end = await a.waitForEnd(run.id);
    await b.waitForEnd(run.id);
    const total = end.type === 'run' ? (end.run.events as number) : -1;
    expect(total).toBeGreaterThan(0);
    // Each tab gets every event, or is told how many it missed while it lagged behind the flood.
    for (const tab of [a, b]) {
      const last = tab.messages.filter((m) => m.type === 'batch' && m.runId === run.id).at(-1);
      const dropped = last?.type === 'batch' ? last.dropped : -1;
      expect(tab.events(run.id).length + dropped).toBe(total);
    }

    const c = await WsClient.open(h);
    const from = total - 20;
    c.send({ type: 'resume', runId: run.id, from });
    const batch = await c.waitFor((m) => m.type === 'batch');
    expect(batch.type === 'batch' && batch.from).toBe(from);
    await c.waitFor(() => c.events(run.id).length >= 20);
    expect(c.events(run.id).map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => from + i));

    c.send({ type: 'resume', runId: 'nope', from: 0 });
    const err = await c.waitFor((m) => m.type === 'error');
    expect(err).toMatchObject({ type: 'error', code: 'unknown-run' });
    for (const x of [a, b, c]) x.close();
  });

  it('counts events older than the resume window as dropped', async () => {
    const watcher = await WsClient.open(h, h.server.url, true);
    const run = await startRun(h, { scenario: 'playground', loops: 1, params: { duration: 30 } });
    await watcher.waitForEnd(run.id, 100_000);
    const total = (await api(h, 'GET', '/api/runs/current')).body.run.events as number;
    const held = h.server.hub.limits.windowEvents;
    const c = await WsClient.open(h, h.server.url, true);
    c.send({ type: 'resume', runId: run.id, from: 0 });
    const batch = await c.waitFor((m) => m.type === 'batch');
    expect(batch).toMatchObject({ type: 'batch', from: total - held, dropped: total - held });
    await c.waitFor(() => c.received === held);
    watcher.close();
    c.close();
  }, 120_000);
});

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
