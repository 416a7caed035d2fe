import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { EVENT_KINDS } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { bundleModule, startWorker, workerModuleUrl } from '../../src/linux/ts-worker';

const FIXTURE = new URL('../fixtures/ts-worker.fixture.ts', import.meta.url);

function firstMessage(w: Worker): Promise<{ kinds: number; tid: boolean; url: string }> {
  return new Promise((resolve, reject) => {
    w.once('message', (m) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`worker exited (code ${code}) without a message`)));
  });
}

describe('worker threads on TypeScript modules', () => {
  it('bundles a .ts module once into the engine cache, and leaves other URLs alone', () => {
    const url = workerModuleUrl(FIXTURE.href);
    expect(url).toMatch(/\/node_modules\/\.cache\/loopscope-workers\/ts-worker\.fixture-[0-9a-f]{16}\.mjs$/);
    expect(existsSync(fileURLToPath(url!))).toBe(true);
    expect(workerModuleUrl(FIXTURE.href)).toBe(url);
    expect(workerModuleUrl('file:///x/handler.js')).toBe('file:///x/handler.js');
    expect(workerModuleUrl('data:text/javascript,1')).toBe('data:text/javascript,1');
  });

  it('runs the bundle in a worker: its imports included, koffi loaded from the engine (a real syscall)', async () => {
    const m = await firstMessage(startWorker(FIXTURE, {}));
    expect(m).toEqual({ kinds: EVENT_KINDS.length, tid: true, url: workerModuleUrl(FIXTURE.href) });
  });

  it('runs the source through tsx when asked (the fallback when a module cannot be bundled)', async () => {
    const m = await firstMessage(startWorker(FIXTURE, {}, true));
    expect(m).toEqual({ kinds: EVENT_KINDS.length, tid: true, url: FIXTURE.href });
  });

  it('says so when a .ts module cannot be bundled', () => {
    expect(workerModuleUrl(new URL('../fixtures/no-such-module.ts', import.meta.url).href)).toBeNull();
  });

  it('reuses a bundle while its sources are unchanged, and bundles again after an edit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopscope-ts-worker-'));
    try {
      const main = join(dir, 'main.ts');
      const dep = join(dir, 'dep.ts');
      writeFileSync(main, "import { value } from './dep';\nexport const out: string = value;\n");
      writeFileSync(dep, "export const value = 'first';\n");
      const a = bundleModule(main);
      expect(readFileSync(a, 'utf8')).toContain('"first"');
      expect(bundleModule(main)).toBe(a);
      // An edit of an imported file, same size, mtime moved on: a new bundle with the new text.
      writeFileSync(dep, "export const value = 'again';\n");
      const later = new Date(Date.now() + 2000);
      utimesSync(dep, later, later);
      const b = bundleModule(main);
      expect(b).not.toBe(a);
      expect(readFileSync(b, 'utf8')).toContain('"again"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
