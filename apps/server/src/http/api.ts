/**
 * The HTTP API under `/api`: scenarios, runs and recordings. Every answer is JSON (except a
 * recording download); every error is `{ error: { code, message } }` with a fitting status.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LIVE_PROTOCOL_VERSION } from '@loopscope/trace';
import type { LiveHub } from '../live/hub';
import { NoRunError, RunBusyError, RunFailedError } from '../runs/run-errors';
import type { RunManager } from '../runs/run-manager';
import { RunRequestError } from '../runs/run-request';
import { describeCatalog } from '../scenarios/catalog';
import type { Scenario } from '../scenarios/scenario';
import type { RecordingsStore } from './recordings-store';
import { HttpError, readJson, sendJson } from './respond';

/** Size limits of request bodies. */
export interface ApiLimits {
  jsonBytes: number;
  uploadBytes: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = { jsonBytes: 64 * 1024, uploadBytes: 256 * 1024 * 1024 };

/** What the API works on. */
export interface ApiContext {
  runs: RunManager;
  hub: LiveHub;
  store: RecordingsStore;
  catalog: ReadonlyMap<string, Scenario>;
  limits: ApiLimits;
}

/** Answers one `/api/...` request. @throws HttpError */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname.replace(/\/+$/, '');
  const method = req.method ?? 'GET';
  const route = `${method} ${path}`;

  if (route === 'GET /api/scenarios') return sendJson(res, 200, describeCatalog(ctx.catalog));
  if (route === 'GET /api/runs/current') return sendJson(res, 200, currentRun(ctx));
  if (route === 'POST /api/runs') return startRun(ctx, req, res);
  if (route === 'POST /api/runs/stop') return stopRun(ctx, res);
  if (route === 'GET /api/status') return sendJson(res, 200, status(ctx));
  if (route === 'GET /api/recordings') return sendJson(res, 200, await ctx.store.list());
  if (route === 'POST /api/recordings') {
    const name = url.searchParams.get('name') ?? '';
    const stored = await ctx.store.upload(name, req, ctx.limits.uploadBytes);
    return sendJson(res, 201, { recording: stored });
  }
  const m = /^\/api\/recordings\/([^/]+)$/.exec(path);
  if (m) return recording(ctx, method, decodeName(m[1]!), req, res);
  if (
    [
      '/api/scenarios',
      '/api/runs',
      '/api/runs/current',
      '/api/runs/stop',
      '/api/status',
      '/api/recordings',
    ].includes(path)
  ) {
    throw new HttpError(405, 'method-not-allowed', `${method} is not allowed on ${path}`);
  }
  throw new HttpError(404, 'not-found', `no API route ${method} ${path}`);
}

function currentRun(ctx: ApiContext) {
  const snap = ctx.runs.snapshot();
  if (!snap) return { run: null, header: null };
  return { ...snap, run: { ...snap.run } };
}

async function startRun(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req, ctx.limits.jsonBytes);
  try {
    const run = await ctx.runs.start(body);
    sendJson(res, 201, { run: { ...run } });
  } catch (err) {
    if (err instanceof RunRequestError) throw new HttpError(400, 'bad-params', err.message);
    if (err instanceof RunBusyError || err instanceof RunFailedError) {
      throw new HttpError(err.status, err.code, err.message);
    }
    throw err;
  }
}

async function stopRun(ctx: ApiContext, res: ServerResponse): Promise<void> {
  try {
    sendJson(res, 200, { run: { ...(await ctx.runs.stop()) } });
  } catch (err) {
    if (err instanceof NoRunError) throw new HttpError(err.status, err.code, err.message);
    throw err;
  }
}

async function recording(
  ctx: ApiContext,
  method: string,
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
) {
  if (method === 'DELETE') {
    const snap = ctx.runs.snapshot();
    if (ctx.runs.active && snap?.run.recording === name) {
      throw new HttpError(409, 'busy', `${name} belongs to the active run`);
    }
    await ctx.store.remove(name);
    res.writeHead(204).end();
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    throw new HttpError(405, 'method-not-allowed', `${method} is not allowed on a recording`);
  }
  const entry = await ctx.store.entry(name);
  res.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'content-length': entry.size,
    'content-disposition': `attachment; filename="${entry.name}"`,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(ctx.store.path(name)).pipe(res);
}

function status(ctx: ApiContext) {
  const mem = process.memoryUsage();
  return {
    protocol: LIVE_PROTOCOL_VERSION,
    clients: ctx.hub.size,
    run: ctx.runs.snapshot()?.run ?? null,
    memory: { rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal },
  };
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'bad-name', 'the recording name is not valid URL encoding');
  }
}
