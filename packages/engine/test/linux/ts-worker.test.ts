import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { EVENT_KINDS } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { startWorker, workerModuleUrl } from '../../src/linux/ts-worker';

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
});
