import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEngine } from './support/fake-engine';
import { type Harness, startHarness } from './support/harness';

let web: string;
let built: Harness;
let unbuilt: Harness;

beforeAll(async () => {
  web = await mkdtemp(join(tmpdir(), 'loopscope-web-'));
  await mkdir(join(web, 'assets'));
  await writeFile(join(web, 'index.html'), '<!doctype html><title>Loopscope</title>');
  await writeFile(join(web, 'assets', 'index-3f2a1b.js'), 'console.log(1)');
  await writeFile(join(web, 'assets', 'index-3f2a1b.css'), 'body{}');
  await writeFile(join(web, 'favicon.svg'), '<svg/>');
  built = await startHarness({ webDir: web, loadEngine: fakeEngine() });
  unbuilt = await startHarness({ webDir: join(web, 'missing'), loadEngine: fakeEngine() });
});
afterAll(async () => {
  await built.close();
  await unbuilt.close();
  await rm(web, { recursive: true, force: true });
});

describe('the web app', () => {
  it('serves files with their content types and caches hashed assets for good', async () => {
    const js = await fetch(`${built.server.url}/assets/index-3f2a1b.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    const css = await fetch(`${built.server.url}/assets/index-3f2a1b.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const svg = await fetch(`${built.server.url}/favicon.svg`);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    const index = await fetch(`${built.server.url}/`);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
  });

  it('falls back to index.html for app routes, 404 for missing files', async () => {
    const route = await fetch(`${built.server.url}/runs/abc?source=replay&recording=x.ndjson`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>Loopscope</title>');
    expect((await fetch(`${built.server.url}/assets/gone-123.js`)).status).toBe(404);
    // Dot segments never reach outside dist: at worst the app's own index.html answers.
    const dotted = await fetch(`${built.server.url}/%2e%2e/%2e%2e/etc/passwd`);
    expect(await dotted.text()).toContain('<title>Loopscope</title>');
    expect((await fetch(`${built.server.url}/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('says how to build the page when dist is missing', async () => {
    const res = await fetch(`${unbuilt.server.url}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('pnpm build');
    expect((await fetch(`${unbuilt.server.url}/api/scenarios`)).status).toBe(200);
  });
});
