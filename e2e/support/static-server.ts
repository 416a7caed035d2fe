/**
 * A minimal static file server for the built web app (no Loopscope API, no websocket): the sim
 * source must work on any static host. Anything that is not a file answers 404, as a plain host
 * would for `/api/*`; every request is logged for the test to look at.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.ndjson': 'application/x-ndjson',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

export interface StaticServer {
  url: string;
  /** Every request seen: `METHOD path -> status`. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1 at an ephemeral port; `/` is index.html. */
export async function serveStatic(root: string): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    const answer = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8') => {
      requests.push(`${req.method} ${path} -> ${status}`);
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'method not allowed');
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return answer(403, 'forbidden');
    stat(file)
      .then((st) => (st.isFile() ? readFile(file) : Promise.reject(new Error('not a file'))))
      .then(
        (body) => answer(200, body, TYPES[extname(file)] ?? 'application/octet-stream'),
        () => answer(404, 'not found'),
      );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
