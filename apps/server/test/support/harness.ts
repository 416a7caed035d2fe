/** Starts a real server on an ephemeral port with a temporary data folder, and talks to it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunInfo, ServerMessage } from '@loopscope/trace';
import WebSocket from 'ws';
import { type LoopscopeServer, type ServerOptions, startServer } from '../../src/server';

/** A server for one test file, and its temporary data folder. */
export interface Harness {
  server: LoopscopeServer;
  dataDir: string;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:0 with a fresh data folder. */
export async function startHarness(opts: Partial<ServerOptions> = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'loopscope-test-'));
  const server = await startServer({ port: 0, dataDir, ...opts });
  return {
    server,
    dataDir,
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** `fetch` against the server, JSON in and out. */
export async function api(
  h: Harness,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields directly and assert on them.
): Promise<{ status: number; body: any }> {
  const res = await fetch(h.server.url + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (a download): keep the text.
  }
  return { status: res.status, body: parsed };
}

/** A websocket client that records every message it gets. */
export class WsClient {
  readonly messages: ServerMessage[] = [];
  private waiters: (() => void)[] = [];

  /** Events received in batches (also counted when `lean` drops them). */
  received = 0;

  /** With `lean`, batches are kept without their events (tests that measure this process's heap). */
  constructor(
    readonly ws: WebSocket,
    private readonly lean = false,
  ) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as ServerMessage;
      if (msg.type === 'batch') {
        this.received += msg.events.length;
        if (this.lean) msg.events = [];
      }
      this.messages.push(msg);
      for (const w of this.waiters) w();
    });
  }

  /** Opens a websocket to the server with the page's own Origin. */
  static async open(h: Harness, origin: string | null = h.server.url, lean = false): Promise<WsClient> {
    const ws = new WebSocket(`${h.server.url.replace('http', 'ws')}/ws`, origin ? { origin } : {});
    const client = new WsClient(ws, lean);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return client;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Waits until a message satisfies `pred` (checking those already received first). */
  async waitFor<T extends ServerMessage>(pred: (m: ServerMessage) => m is T, ms?: number): Promise<T>;
  async waitFor(pred: (m: ServerMessage) => boolean, ms?: number): Promise<ServerMessage>;
  async waitFor(pred: (m: ServerMessage) => boolean, ms = 20_000): Promise<ServerMessage> {
    const deadline = Date.now() + ms;
    let seen = 0;
    for (;;) {
      for (; seen < this.messages.length; seen++) if (pred(this.messages[seen]!)) return this.messages[seen]!;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching message within ${ms} ms (${this.messages.length} received)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, left);
        const waiters = this.waiters;
        function done() {
          clearTimeout(t);
          waiters.splice(waiters.indexOf(done), 1);
          resolve();
        }
        waiters.push(done);
      });
    }
  }

  /** Waits for the `run` message that says run `id` (or any run) reached a final state. */
  waitForEnd(id?: string, ms?: number): Promise<ServerMessage> {
    return this.waitFor(
      (m) =>
        m.type === 'run' &&
        (id === undefined || m.run.id === id) &&
        ['finished', 'failed'].includes(m.run.state),
      ms,
    );
  }

  /** Every event received in batches, for run `id`. */
  events(id: string) {
    return this.messages.flatMap((m) => (m.type === 'batch' && m.runId === id ? m.events : []));
  }

  close(): void {
    this.ws.close();
  }
}

/** Starts a run through the API and returns its info. */
export async function startRun(h: Harness, body: unknown): Promise<RunInfo> {
  const res = await api(h, 'POST', '/api/runs', body);
  if (res.status !== 201) throw new Error(`start failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.run as RunInfo;
}
