/**
 * Starts a worker thread on a module that may be TypeScript source.
 *
 * There is no build step: a `.ts` entry needs tsx's loader in the worker. On Node 20
 * `execArgv: ['--import', 'tsx']` does not reach worker threads (module hooks are per thread
 * there), so a small bootstrap registers tsx's ESM hooks inside the worker, then imports the
 * entry. A `.js` entry starts directly.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

let tsxApi: string | null = null;

function tsxApiUrl(): string {
  if (tsxApi) return tsxApi;
  const req = createRequire(import.meta.url);
  const dir = dirname(req.resolve('tsx/package.json'));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  tsxApi = pathToFileURL(join(dir, pkg.exports['./esm/api']!.import.default)).href;
  return tsxApi;
}

/** A Worker running `entry` (a file URL), through tsx when it is a `.ts` file. */
export function startWorker(entry: URL, options: WorkerOptions): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const code = [
    `import(${JSON.stringify(tsxApiUrl())})`,
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`,
    '.catch((err) => { console.error(err); process.exit(1); });',
  ].join('');
  return new Worker(code, { ...options, eval: true, execArgv: options.execArgv ?? [] });
}
