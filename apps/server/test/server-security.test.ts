import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { fakeEngine } from './support/fake-engine';
import { api, type Harness, startHarness, WsClient } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ loadEngine: fakeEngine(), apiLimits: { uploadBytes: 4096 } });
});
afterAll(() => h.close());

/** The server still answers a plain request: nothing above broke it. */
async function stillServes(): Promise<void> {
  expect((await api(h, 'GET', '/api/scenarios')).status).toBe(200);
}

function refusedUpgrade(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${h.server.url.replace('http', 'ws')}/ws`, { headers });
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
}

describe('the websocket', () => {
  it('refuses a foreign origin and a foreign Host', async () => {
    const foreign = await refusedUpgrade({ origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatch(/Origin "http:\/\/evil.example" is not this page's origin/);
    const rebinding = await refusedUpgrade({
      host: `evil.example:${h.server.port}`,
      origin: `http://evil.example:${h.server.port}`,
    });
    expect(rebinding.status).toBe(403);
    expect(rebinding.body).toMatch(/Host "evil.example/);
    await stillServes();
  });

  it('accepts the page origin on localhost and a program without Origin on loopback', async () => {
    const local = await WsClient.open(h, `http://localhost:${h.server.port}`);
    const program = await WsClient.open(h, null);
    await local.waitFor((m) => m.type === 'hello');
    await program.waitFor((m) => m.type === 'hello');
    local.close();
    program.close();
  });

  it('answers malformed control messages with an error and goes on', async () => {
    const c = await WsClient.open(h);
    const cases: [unknown, string, RegExp][] = [
      ['{not json', 'bad-json', /not valid JSON/],
      [{ type: 'launch' }, 'bad-message', /unknown message type "launch"/],
      [{ type: 'resume', runId: 'x', from: -1 }, 'bad-message', /from/],
      [
        { type: 'start', id: 'q1', scenario: 'herd', loops: 99 },
        'bad-params',
        /loops must be an integer from 1 to 8/,
      ],
      [
        { type: 'start', scenario: 'herd', params: { connections: 1e9 } },
        'bad-params',
        /connections must be an integer from 1 to 2000/,
      ],
      [{ type: 'start', scenario: 'nope' }, 'bad-params', /unknown scenario "nope"/],
      [{ type: 'stop' }, 'no-run', /no run is active/],
    ];
    for (const [msg, code, text] of cases) {
      const before = c.messages.length;
      c.send(msg);
      const err = await c.waitFor((m) => m.type === 'error' && c.messages.indexOf(m) >= before);
      expect(err).toMatchObject({ type: 'error', code });
      expect(err.type === 'error' && err.message).toMatch(text);
    }
    expect(c.messages.find((m) => m.type === 'error' && m.replyTo === 'q1')).toBeDefined();
    c.send({ type: 'ping' });
    await stillServes();
    c.close();
  });

  it('closes a socket that sends an oversized message, and only that socket', async () => {
    const big = await WsClient.open(h);
    const other = await WsClient.open(h);
    const closed = new Promise<number>((resolve) => big.ws.once('close', (code) => resolve(code)));
    big.send(JSON.stringify({ type: 'ping', id: 'x'.repeat(100_000) }));
    expect(await closed).toBe(1009);
    other.send({ type: 'ping' });
    other.send('nope');
    await other.waitFor((m) => m.type === 'error');
    other.close();
    await stillServes();
  });
});

describe('the HTTP API', () => {
  it('refuses run parameters out of bounds, naming the parameter and its bounds', async () => {
    const bad = await api(h, 'POST', '/api/runs', { scenario: 'herd', params: { duration: 31 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('parameter duration must be an integer from 1 to 30 s (got 31)');
    const extra = await api(h, 'POST', '/api/runs', { scenario: 'herd', params: { speed: 3 } });
    expect(extra.body.error.message).toMatch(
      /unknown parameter "speed" for herd: expected connections, bytes, gapMs, duration/,
    );
    const mode = await api(h, 'POST', '/api/runs', { scenario: 'herd', mode: 'turbo' });
    expect(mode.body.error.message).toMatch(/mode must be one of evio, read-first/);
    const notJson = await api(h, 'POST', '/api/runs', '{', { 'content-type': 'application/json' });
    expect(notJson.body.error.code).toBe('bad-json');
    const form = await fetch(`${h.server.url}/api/runs`, {
      method: 'POST',
      body: 'scenario=herd',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const huge = await api(h, 'POST', '/api/runs', { scenario: 'herd', pad: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
    await stillServes();
  });

  it('refuses a state change from a foreign origin', async () => {
    const res = await api(h, 'POST', '/api/runs', { scenario: 'herd' }, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('bad-origin');
    expect((await api(h, 'GET', '/api/runs/current')).body.run).toBeNull();
  });

  it('refuses recording names that could leave the data folder', async () => {
    for (const name of ['..%2F..%2Fetc%2Fpasswd', '.hidden.ndjson', 'a%2Fb.ndjson', 'x.txt', '..ndjson']) {
      const res = await api(h, 'GET', `/api/recordings/${name}`);
      expect(res.status, name).toBe(400);
      expect(res.body.error.code).toBe('bad-name');
    }
    const del = await api(h, 'DELETE', '/api/recordings/..%2Fx.ndjson');
    expect(del.status).toBe(400);
    const raw = await rawRequest('GET /api/recordings/../../package.json HTTP/1.1');
    expect(raw).toMatch(/^HTTP\/1.1 (400|404)/);
    await stillServes();
  });

  it('validates uploads, naming the bad line, and caps their size', async () => {
    const header = JSON.stringify({
      format: 'loopscope-trace',
      version: 1,
      created: '2026-01-01T00:00:00.000Z',
      mode: 'evio',
      loops: 1,
      balance: null,
      scenario: null,
      host: null,
      source: { type: 'hand', program: null, pids: [], seed: null },
    });
    const good = `${header}\n{"seq":0,"t":0,"loop":-1,"kind":"mark","text":"hi"}\n{"seq":1,"t":5,"loop":-1,"kind":"end","events":1}\n`;
    const up = (name: string, body: string) =>
      api(h, 'POST', `/api/recordings?name=${name}`, body, { 'content-type': 'application/x-ndjson' });
    const ok = await up('hand.ndjson', good);
    expect(ok.status).toBe(201);
    expect(ok.body.recording).toMatchObject({ name: 'hand.ndjson', events: 2, complete: true });
    expect((await up('hand.ndjson', good)).status).toBe(409);
    const bad = await up('bad.ndjson', good.replace('"t":5', '"t":"x"'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^bad.ndjson:3: field "t"/);
    expect((await up('big.ndjson', good + 'x'.repeat(5000))).status).toBe(413);
    expect((await up('..%2Fup.ndjson', good)).status).toBe(400);
    const names = (await api(h, 'GET', '/api/recordings')).body.map((r: { name: string }) => r.name);
    expect(names).toEqual(['hand.ndjson']);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const raw = await rawRequest('GET /api/scenarios HTTP/1.1', `evil.example:${h.server.port}`);
    expect(raw).toMatch(/^HTTP\/1.1 403/);
    await stillServes();
  });
});

/** Sends a request line as is (fetch would normalise the path). */
function rawRequest(line: string, host = `127.0.0.1:${h.server.port}`): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(h.server.port, '127.0.0.1');
    let out = '';
    sock.on('data', (d) => {
      out += d.toString();
    });
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
    sock.write(`${line}\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}

describe('the number of tabs', () => {
  it('refuses a tab beyond the bound with 503 and a reason', async () => {
    const small = await startHarness({ loadEngine: fakeEngine(), hubLimits: { maxClients: 2 } });
    try {
      const a = await WsClient.open(small);
      const b = await WsClient.open(small);
      await expect(WsClient.open(small)).rejects.toThrow('HTTP 503');
      a.close();
      await new Promise((r) => a.ws.once('close', r));
      const c = await WsClient.open(small);
      await c.waitFor((m) => m.type === 'hello');
      b.close();
      c.close();
    } finally {
      await small.close();
    }
  });
});
