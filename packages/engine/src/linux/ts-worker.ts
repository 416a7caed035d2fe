/**
 * Starts a worker thread on a module that may be TypeScript source, and the modules it imports.
 *
 * There is no build step: Loopscope runs from its `.ts` sources. A worker thread cannot inherit
 * tsx from the main thread (on Node 20 module hooks are per thread), and registering tsx inside
 * each worker costs ~200 ms of its start (tsx's hooks run on a thread of their own, and every
 * module then goes through them: ~350 ms before a loop thread ran its first line). So a `.ts`
 * module a worker imports is bundled once per process with esbuild, its imports included and
 * koffi left outside, into an `.mjs` file in the engine's `node_modules/.cache/loopscope-workers/`
 * (named by a hash of its content, written atomically, so concurrent processes share it), and
 * the worker imports that: a loop thread then runs ~100 ms after it was created.
 *
 * If bundling is not possible (esbuild missing, a read-only install, a handler module that
 * esbuild cannot bundle), the worker falls back to tsx: a small bootstrap registers tsx's ESM
 * hooks inside the worker, then imports the `.ts` entry. A `.js` entry always starts directly.
 */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);

let tsxApi: string | null = null;

function tsxApiUrl(): string {
  if (tsxApi) return tsxApi;
  const dir = dirname(require.resolve('tsx/package.json'));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  tsxApi = pathToFileURL(join(dir, pkg.exports['./esm/api']!.import.default)).href;
  return tsxApi;
}

/** Where bundles go: below the engine package, so that `koffi` resolves from them. */
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/loopscope-workers/', import.meta.url));
/** Bundles not used for this long are removed when a new one is written. */
const STALE_MS = 24 * 3600 * 1000;
/** Kept outside every bundle: native code, loaded once per thread from the engine's dependencies. */
const EXTERNAL = ['koffi'];
/** Lets a bundled CommonJS dependency `require` Node's modules from an ES module. */
const BANNER =
  "import { createRequire as __lsRequire } from 'node:module'; const require = __lsRequire(import.meta.url);";

const bundles = new Map<string, string | null>();

type Esbuild = {
  buildSync(o: Record<string, unknown>): {
    outputFiles?: { contents: Uint8Array }[];
    metafile?: { inputs: Record<string, unknown> };
  };
  stop(): Promise<void>;
};
/** Changes when the options below change, so that an older bundle is not taken for current. */
const OPTIONS_VERSION = `esm node20 inline-map ${EXTERNAL.join(',')} ${BANNER}`;

/**
 * The URL a worker thread should import for `url`: for a `.ts` file, the URL of its bundle
 * (made on the first call in this process, unless the bundle made last time is still current);
 * anything else as it is. Null when a `.ts` module could not be bundled: the worker then needs
 * tsx (`startWorker` does that by itself).
 */
export function workerModuleUrl(url: string): string | null {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return url;
  const known = bundles.get(url);
  if (known === null) return null;
  if (known !== undefined && touch(fileURLToPath(known))) return known;
  let out: string | null = null;
  try {
    out = pathToFileURL(bundleModule(fileURLToPath(url))).href;
  } catch {
    out = null;
  }
  bundles.set(url, out);
  return out;
}

/** Marks a bundle used (so that it is not pruned); false if it is gone. */
function touch(file: string): boolean {
  try {
    const now = new Date();
    utimesSync(file, now, now);
    return true;
  } catch {
    return false;
  }
}

/** What the last bundle of an entry was made from: its file, and each input's mtime and size. */
interface Manifest {
  file: string;
  inputs: [string, number, number][];
}

/** Writes `data` to `file` through a temporary name, so that a reader never sees half of it. */
function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * The bundle of the module at `path`: the one made last time if none of its inputs changed since
 * (their mtimes and sizes, ~1 ms to check), else a new one (~170 ms, esbuild's start included).
 */
export function bundleModule(path: string): string {
  const key = createHash('sha256').update(`${OPTIONS_VERSION}\0${path}`).digest('hex').slice(0, 16);
  const manifestFile = join(CACHE_DIR, `${basename(path, '.ts')}-${key}.json`);
  try {
    const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    const current = m.inputs.every(([f, mtime, size]) => {
      const st = statSync(f);
      return st.mtimeMs === mtime && st.size === size;
    });
    if (current && touch(m.file) && touch(manifestFile)) return m.file;
  } catch {
    // No manifest yet, or an input is gone: build.
  }
  const esbuild = require('esbuild') as Esbuild;
  const started = Date.now();
  let result: ReturnType<Esbuild['buildSync']>;
  try {
    result = esbuild.buildSync({
      entryPoints: [path],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: EXTERNAL,
      banner: { js: BANNER },
      sourcemap: 'inline',
      logLevel: 'silent',
    });
  } finally {
    // The synchronous API keeps a service (a thread, a process, their pipes) for later calls;
    // bundles are made rarely (once per module and process at most): close it, within an event
    // loop turn.
    void esbuild.stop();
  }
  const code = result.outputFiles?.[0]?.contents;
  if (!code || !result.metafile) throw new Error('esbuild wrote nothing');
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const file = join(CACHE_DIR, `${basename(path, '.ts')}-${hash}.mjs`);
  mkdirSync(CACHE_DIR, { recursive: true });
  if (!touch(file)) writeAtomic(file, code);
  // esbuild names inputs relative to its working directory.
  const inputs = Object.keys(result.metafile.inputs).map((f): [string, number, number] => {
    const abs = resolve(f);
    const st = statSync(abs);
    return [abs, st.mtimeMs, st.size];
  });
  // A source saved while esbuild read it may not be in this bundle: then no manifest, so the
  // next process builds again rather than take this bundle for current.
  if (inputs.every(([, mtime]) => mtime < started)) {
    writeAtomic(manifestFile, JSON.stringify({ file, inputs } satisfies Manifest));
  }
  pruneStale(file);
  return file;
}

/** Removes the bundles and manifests nobody used for `STALE_MS`. */
function pruneStale(keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(CACHE_DIR)) {
    const f = join(CACHE_DIR, name);
    if (f === keep) continue;
    try {
      if (now - statSync(f).mtimeMs > STALE_MS) unlinkSync(f);
    } catch {
      // Another process removed it first.
    }
  }
}

/**
 * A Worker running `entry` (a file URL): a `.ts` entry through its bundle, or through tsx when
 * `tsx` is true or the entry cannot be bundled.
 */
export function startWorker(entry: URL, options: WorkerOptions, tsx = false): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const bundled = tsx ? null : workerModuleUrl(entry.href);
  if (bundled) return new Worker(new URL(bundled), options);
  const code = [
    `import(${JSON.stringify(tsxApiUrl())})`,
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`,
    '.catch((err) => { console.error(err); process.exit(1); });',
  ].join('');
  return new Worker(code, { ...options, eval: true, execArgv: options.execArgv ?? [] });
}
