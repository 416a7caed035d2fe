import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeRecording } from '@loopscope/trace';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, type Harness, startHarness, WsClient } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    loadEngine: async () => async () => {
      throw new Error('epoll_create1 failed: EMFILE');
    },
  });
});
afterAll(() => h.close());

it('reports an engine that fails to start, records the attempt, and accepts the next run', async () => {
  const tab = await WsClient.open(h);
  const res = await api(h, 'POST', '/api/runs', { scenario: 'herd', loops: 2 });
  expect(res.status).toBe(500);
  expect(res.body.error).toMatchObject({ code: 'run-failed' });
  expect(res.body.error.message).toMatch(/EMFILE/);
  const failed = await tab.waitForEnd();
  expect(failed.type === 'run' && failed.run).toMatchObject({
    state: 'failed',
    error: 'epoll_create1 failed: EMFILE',
  });
  const run = failed.type === 'run' ? failed.run : null;
  const rec = decodeRecording(await readFile(join(h.dataDir, run!.recording!), 'utf8'));
  expect(rec.complete).toBe(true);
  expect(rec.header?.loops).toBe(2);
  tab.send({ type: 'start', id: 's2', scenario: 'herd' });
  const err = await tab.waitFor((m) => m.type === 'error');
  expect(err).toMatchObject({ code: 'run-failed', replyTo: 's2' });
  tab.close();
});
