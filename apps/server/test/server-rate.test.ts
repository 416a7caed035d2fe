import { afterAll, beforeAll, expect, it } from 'vitest';
import { fakeEngine } from './support/fake-engine';
import { type Harness, startHarness, startRun, WsClient } from './support/harness';

let h: Harness;
// 500 events every 10 ms (50k/s) for 3 s: always something queued, yet the server is not saturated.
beforeAll(async () => {
  h = await startHarness({ loadEngine: fakeEngine({ flood: 150_000, floodChunk: 500, floodEveryMs: 10 }) });
});
afterAll(() => h.close());

it('sends each tab at most ~60 batches a second', async () => {
  const tab = await WsClient.open(h, h.server.url, true);
  const run = await startRun(h, { scenario: 'playground', loops: 1, params: { duration: 30 } });
  const t0 = Date.now();
  await tab.waitForEnd(run.id, 30_000);
  const seconds = (Date.now() - t0) / 1000;
  const batches = tab.messages.filter((m) => m.type === 'batch').length;
  console.log(
    `${tab.received} events in ${batches} batches over ${seconds.toFixed(2)} s: ${(batches / seconds).toFixed(1)} batches/s`,
  );
  expect(batches / seconds).toBeLessThanOrEqual(65);
  expect(batches / seconds).toBeGreaterThan(20);
  tab.close();
});
