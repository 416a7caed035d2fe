/**
 * The Loopscope server: the built web app, the HTTP API, the websocket hub and the run manager
 * on one port, bound to 127.0.0.1 unless told otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EngineLoader } from './engine/engine-types';
import { loadLinuxEngine } from './engine/load-engine';
import { type ApiLimits, DEFAULT_API_LIMITS, handleApi } from './http/api';
import { AccessGuard } from './http/guard';
import { RecordingsStore } from './http/recordings-store';
import { HttpError, sendError } from './http/respond';
import { serveStatic } from './http/static-files';
import { DEFAULT_HUB_LIMITS, type HubLimits, LiveHub } from './live/hub';
import { WsEndpoint } from './live/ws-endpoint';
import { webDistDir } from './paths';
import { RunManager } from './runs/run-manager';
import { SCENARIOS } from './scenarios/catalog';
import type { Scenario } from './scenarios/scenario';

/** How to start the server; everything has a default. */
export interface ServerOptions {
  /** 0 picks a free port. Default 7420. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** The recordings folder. */
  dataDir: string;
  /** The built web app. Default `apps/web/dist`. */
  webDir?: string;
  loadEngine?: EngineLoader;
  catalog?: ReadonlyMap<string, Scenario>;
  hubLimits?: Partial<HubLimits>;
  apiLimits?: Partial<ApiLimits>;
}

/** A started server. */
export interface LoopscopeServer {
  /** `http://127.0.0.1:7420` (the address to open). */
  url: string;
  port: number;
  host: string;
  runs: RunManager;
  hub: LiveHub;
  store: RecordingsStore;
  /** Stops the active run, closes every socket and the port. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7420;
export const SERVER_NAME = 'loopscope';

/** Starts listening; resolves once the port is bound. */
export async function startServer(opts: ServerOptions): Promise<LoopscopeServer> {
  const host = opts.host ?? '127.0.0.1';
  const webDir = opts.webDir ?? webDistDir();
  const hub = new LiveHub(SERVER_NAME, { ...DEFAULT_HUB_LIMITS, ...opts.hubLimits });
  const catalog = opts.catalog ?? SCENARIOS;
  const store = new RecordingsStore(opts.dataDir);
  const runs = new RunManager({
    dataDir: opts.dataDir,
    hub,
    catalog,
    loadEngine: opts.loadEngine ?? loadLinuxEngine,
  });
  const limits = { ...DEFAULT_API_LIMITS, ...opts.apiLimits };
  const http: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? DEFAULT_PORT, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const guard = new AccessGuard(host, port);
  const ws = new WsEndpoint(hub, runs, guard);
  const api = { runs, hub, store, catalog, limits };

  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) return sendError(res, err.status, err.code, err.message);
      sendError(res, 500, 'internal', err instanceof Error ? err.message : String(err));
    });
  });
  http.on('upgrade', (req, socket, head) => ws.upgrade(req, socket, head));
  http.on('clientError', (_err, socket) => socket.destroy());

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hostProblem = guard.checkHost(req);
    if (hostProblem) throw new HttpError(403, 'bad-host', hostProblem);
    const url = req.url ?? '/';
    if (url === '/api' || url.startsWith('/api/')) {
      // A page of another site may not change anything here, even if the browser lets it send.
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        const originProblem = guard.checkOrigin(req, false);
        if (originProblem) throw new HttpError(403, 'bad-origin', originProblem);
      }
      return handleApi(api, req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, 'method-not-allowed', `${req.method} is not allowed here`);
    }
    return serveStatic(webDir, req, res);
  }

  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown === '0.0.0.0' || shown === '[::]' ? '127.0.0.1' : shown}:${port}`,
    port,
    host,
    runs,
    hub,
    store,
    async close() {
      await runs.close();
      ws.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
