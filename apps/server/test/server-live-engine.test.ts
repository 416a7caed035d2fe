import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeRecording } from '@loopscope/trace';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadLinuxEngine } from '../src/engine/load-engine';

import { api, type Harness, startHarness, startRun, WsClient } from './support/harness';

let h: Harness;
// Small queues so that a stalled tab must lose events even in a short run of the real engine.
beforeAll(async () => {
  h = await startHarness({
    loadEngine: loadLinuxEngine,
    hubLimits: { queueEvents: 2_000, windowEvents: 4_000, maxBufferedBytes: 256 * 1024 },
  });
});
afterAll(() => h?.close());

it('a stalled tab of a real herd run is told what it missed; the recording has every event', async () => {
  const stalled = await WsClient.open(h, h.server.url, true);
  await stalled.waitFor((m) => m.type === 'hello');
  stalled.ws.pause();
  const steady = await WsClient.open(h, h.server.url, true);
  const run = await startRun(h, {
    scenario: 'herd',
    loops: 4,
    balance: 'random',
    params: { connections: 2000, gapMs: 0, duration: 30 },
  });
  await steady.waitForEnd(run.id, 60_000);
  const current = (await api(h, 'GET', '/api/runs/current')).body;
  const total = current.run.events as number;
  stalled.ws.resume();
  await stalled.waitForEnd(run.id, 30_000);
  const last = stalled.messages.filter((m) => m.type === 'batch').at(-1);
  const dropped = last?.type === 'batch' ? last.dropped : -1;
  console.log(
    `real herd: ${total} events (${current.engineCount} from the engine); stalled tab got ${stalled.received}, told it missed ${dropped}`,
  );
  expect(dropped).toBe(total - stalled.received);
  expect(dropped).toBeGreaterThan(0);
  expect(steady.received).toBe(total);
  const rec = decodeRecording(await readFile(join(h.dataDir, run.recording!), 'utf8'));
  expect(rec.events).toHaveLength(total);
  expect(current.engineEvents).toBe(current.engineCount);
  const fromEngine = rec.events.filter(
    (e) =>
      !e.kind.startsWith('client-') &&
      e.kind !== 'end' &&
      e.kind !== 'herd-wakeups' &&
      !(e.kind === 'mark' && e.loop === -1),
  );
  expect(fromEngine).toHaveLength(current.engineCount);
  stalled.close();
  steady.close();
}, 120_000);
