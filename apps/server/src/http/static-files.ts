/**
 * Serves the web app as built by Vite: correct content types, long caching for hashed assets
 * (`/assets/*`), no caching for `index.html`, and the SPA fallback (unknown paths without a file
 * extension get `index.html`). Without a build, a page says how to make one.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ndjson': 'application/x-ndjson',
};

const MISSING_BUILD = `<!doctype html><meta charset="utf-8"><title>Loopscope: web app not built</title>
<body style="font:16px system-ui;max-width:40em;margin:4em auto">
<h1>The web app is not built yet</h1>
<p>The server is running, but <code>apps/web/dist</code> does not exist. Build the page with</p>
<pre>pnpm build</pre><p>then reload. (<code>pnpm start</code> builds and serves in one go.)</p></body>`;

/** Answers a GET/HEAD for a file of `root` (the dist folder). */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    rel = '/';
  }
  const path = normalize(join(root, rel));
  // Refuse anything that resolves outside the dist folder (`..`, encoded slashes).
  const inside = path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
  const file = inside ? await fileAt(path) : null;
  if (file) return send(res, req, file, rel.startsWith('/assets/'));
  if (extname(rel) !== '' && rel !== '/index.html') {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`not found: ${url.pathname}\n`);
    return;
  }
  const index = await fileAt(join(root, 'index.html'));
  if (index) return send(res, req, index, false);
  res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(MISSING_BUILD);
}

async function fileAt(path: string): Promise<{ path: string; size: number } | null> {
  try {
    const s = await stat(path);
    if (s.isFile()) return { path, size: s.size };
    if (s.isDirectory()) return fileAt(join(path, 'index.html'));
  } catch {
    return null;
  }
  return null;
}

function send(
  res: ServerResponse,
  req: IncomingMessage,
  file: { path: string; size: number },
  hashed: boolean,
) {
  res.writeHead(200, {
    'content-type': TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
    'content-length': file.size,
    // Vite puts a content hash in every asset name: such a URL never changes content.
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file.path).pipe(res);
}
