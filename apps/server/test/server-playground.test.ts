import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { engineForTests } from './support/engine';
import { api, type Harness, startHarness, startRun, WsClient } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ loadEngine: (await engineForTests()).loadEngine });
});
afterAll(() => h.close());

it('shows the bytes a hand-made client sends to the playground as read events', async () => {
  const tab = await WsClient.open(h);
  const run = await startRun(h, {
    scenario: 'playground',
    loops: 2,
    params: { handler: 'echo', duration: 20 },
  });
  expect(run.listen).toMatch(/^127\.0\.0\.1:\d+$/);
  const port = Number(run.listen!.split(':')[1]);
  const sock = net.connect(port, '127.0.0.1');
  const echoed = new Promise<string>((resolve) => sock.once('data', (d) => resolve(d.toString())));
  sock.write('hello loopscope\n');
  expect(await echoed).toBe('hello loopscope\n');
  await tab.waitFor(() => tab.events(run.id).some((e) => e.kind === 'read' && e.bytes === 16));
  sock.end();
  await tab.waitFor(() => tab.events(run.id).some((e) => e.kind === 'close'));
  const stopped = await api(h, 'POST', '/api/runs/stop');
  expect(stopped.body.run.state).toBe('finished');
  expect(tab.events(run.id).some((e) => e.kind === 'mark' && /nc 127\.0\.0\.1/.test(e.text))).toBe(true);
  tab.close();
});

it('refuses a playground handler that does not exist', async () => {
  const res = await api(h, 'POST', '/api/runs', { scenario: 'playground', params: { handler: 'ftp' } });
  expect(res.status).toBe(400);
  expect(res.body.error.message).toBe('parameter handler must be one of echo, http, redis (got "ftp")');
});

/** Sends `request` to the playground and collects the answer until `done` says it is whole. */
async function exchange(port: number, request: string, done: (s: string) => boolean): Promise<string> {
  const sock = net.connect(port, '127.0.0.1');
  let got = '';
  await new Promise<void>((resolve, reject) => {
    sock.on('data', (d) => {
      got += d.toString();
      if (done(got)) resolve();
    });
    sock.on('error', reject);
    sock.write(request);
  });
  sock.destroy();
  return got;
}

it('serves the http and redis handlers to hand-made clients', async () => {
  const cases = [
    {
      handler: 'http',
      request: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
      expect: /^HTTP\/1.1 200[\s\S]*Hello World!/,
    },
    { handler: 'redis', request: '*1\r\n$4\r\nPING\r\n', expect: /^\+PONG\r\n$/ },
  ];
  for (const c of cases) {
    const run = await startRun(h, { scenario: 'playground', loops: 1, params: { handler: c.handler } });
    const port = Number(run.listen!.split(':')[1]);
    const answer = await exchange(port, c.request, (s) => c.expect.test(s));
    expect(answer).toMatch(c.expect);
    expect((await api(h, 'POST', '/api/runs/stop')).body.run.state).toBe('finished');
  }
});
