/**
 * Opening a large recording in the built web app, in Debian's Chromium: how long until the
 * first events are on screen, until the trace is fully loaded, how much main-thread CPU that
 * took, and how long a jump to the middle and to the end and a scrub take afterwards. A
 * benchmark, not a test: it prints figures and never fails on them.
 *
 *   pnpm build && pnpm exec tsx bench/web-open.ts [--repeats 3] [--file REC.ndjson] [--dist DIR,...] [--json]
 *
 * It builds nothing: it serves `apps/web/dist` as it is (or each `--dist` folder: builds compared
 * in the same run, taking turns in every repeat). Without `--file` it records a simulated `load`
 * run of 4 loops with about 1M events once and keeps it in the OS temp folder.
 *
 * Definitions (every time is measured in the page with `performance.now()`, from the `change`
 * event of the replay file input, the moment the app receives the file):
 * - read: the same browser reading the same file's bytes with `Blob.arrayBuffer()` (the floor of
 *   any way to open it; measured in the same page before the open, in every repeat);
 * - first: the first animation frame where the store holds events of the new file and the
 *   transport shows their count;
 * - loaded: the first animation frame where the source is `ready` (every event decoded and
 *   validated, so stepping reaches every event), the store holds them all, and the numbers panel
 *   shows the whole trace's event count (its numbers are final); the timeline draws from the same
 *   store in that frame;
 * - main CPU / renderer CPU: `Performance.getMetrics` ThreadTime (the page's main thread) and
 *   ProcessTime (the renderer process, workers included) between the file input and loaded;
 * - heap: the page's JavaScript heap in use once loaded (`JSHeapUsedSize`; the recording's
 *   bytes and columns are ArrayBuffers outside it);
 * - longest frame: the longest gap between two animation frames while loading (the page's
 *   responsiveness);
 * - jump mid / jump end: `seek()` to the middle, then to the end, right after loaded, until
 *   the frame after it was drawn; scrub: 20 seeks to spread positions in shuffled order, the
 *   median and the longest; seek(): the median time of those seeks' calls alone (moving the
 *   model, without drawing).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launch, openPage } from '../e2e/support/browser';
import { repoRoot } from '../e2e/support/server';
import { serveStatic } from '../e2e/support/static-server';

const HELP = `usage: pnpm exec tsx bench/web-open.ts [--repeats 3] [--file REC.ndjson] [--dist DIR,...] [--json]
  needs apps/web/dist (pnpm build), or the built apps named by --dist (compared in turns);
  without --file, records a ~1M-event sim 'load' run once
  (kept as ${join(tmpdir(), 'loopscope-web-open-*.ndjson')})`;

const { values: opts } = parseArgs({
  args: process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')),
  options: {
    repeats: { type: 'string', default: '3' },
    file: { type: 'string' },
    dist: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
const repeats = Number(opts.repeats);
if (!(Number.isInteger(repeats) && repeats >= 1 && repeats <= 20)) {
  console.error(`--repeats must be an integer from 1 to 20\n${HELP}`);
  process.exit(2);
}

const log = (s: string): void => void process.stderr.write(`${s}\n`);
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** The recording's parameters: 4 simulated loops, ~1.0M events, ~113 MB. */
const RECORD = ['load', '--sim', '--loops', '4', '--seed', '1'].concat(
  ['clients=32', 'messages=2980', 'maxSteps=20000000', 'maxMs=600000'].flatMap((p) => ['--param', p]),
);

function recording(): string {
  if (opts.file) return opts.file;
  const file = join(tmpdir(), 'loopscope-web-open-load-4loops-32x2980.ndjson');
  if (existsSync(file)) return file;
  log(`recording ${file} (once): loopscope record ${RECORD.join(' ')}`);
  const part = `${file}.part`;
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'apps/server/src/cli.ts', 'record', ...RECORD, '--out', part],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (r.status !== 0) throw new Error(`loopscope record failed (exit ${r.status})`);
  renameSync(part, file);
  return file;
}

/** Events in a recording: from its `end` event, else by counting lines. */
function eventCount(file: string): number {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const tail = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    const last = tail.toString('utf8').trimEnd().split('\n').pop() ?? '';
    const m = /"kind":"end","events":(\d+)/.exec(last);
    if (m) return Number(m[1]) + 1;
    let lines = 0;
    const buf = Buffer.alloc(1 << 20);
    for (let at = 0; at < size; at += buf.length) {
      const n = readSync(fd, buf, 0, buf.length, at);
      for (let i = 0; i < n; i++) if (buf[i] === 10) lines++;
    }
    return lines - 1;
  } finally {
    closeSync(fd);
  }
}

interface Sample {
  /** Which build (index into the `--dist` list). */
  build: number;
  readMs: number;
  firstMs: number;
  loadedMs: number;
  mainCpuMs: number;
  procCpuMs: number;
  /** The page's JavaScript heap once loaded (MB). */
  heapMb: number;
  longestFrameMs: number;
  jumpMidMs: number;
  jumpEndMs: number;
  scrubMedianMs: number;
  scrubMaxMs: number;
  /** Of the scrub's seeks: the median time of the `seek()` call alone (the model, no drawing). */
  seekCallMs: number;
  total: number;
  state: string;
}

// Page-side code is plain source text: the bundler's helpers never reach the browser.
const READ_JS = `(async () => {
  const f = document.getElementById('bench-read').files[0];
  const t0 = performance.now();
  const b = await f.arrayBuffer();
  const ms = performance.now() - t0;
  return b.byteLength > 0 ? ms : -1;
})()`;

/** Watches the open of file `name`: the times of `first` and `loaded`, the longest frame. */
const WATCH_JS = (name: string) => `(() => {
  const w = { t0: 0, first: 0, loaded: 0, longest: 0, done: false, last: 0 };
  window.__benchWatch = w;
  document.addEventListener('change', (e) => {
    if (e.target && e.target.getAttribute && e.target.getAttribute('data-testid') === 'replay-file' && !w.t0) {
      w.t0 = performance.now();
      w.last = w.t0;
    }
  }, { capture: true });
  const tick = () => {
    const now = performance.now();
    if (w.t0) {
      w.longest = Math.max(w.longest, now - w.last);
      w.last = now;
      const s = window.__loopscope.store.getState();
      const mine = s.sourceLabel === ${JSON.stringify(name)};
      const shown = document.querySelector('[data-testid="position"]')?.textContent ?? '';
      const total = s.buffer.length;
      if (!w.first && mine && total > 0 && shown.includes('/ ' + total.toLocaleString())) w.first = now - w.t0;
      const stat = document.querySelector('[data-stat="events"]')?.textContent?.replace(/,/g, '');
      if (mine && (s.status.state === 'error' || (s.status.state === 'ready' && stat === String(total)))) {
        w.loaded = now - w.t0;
        w.state = s.status.state;
        w.total = total;
        w.done = true;
        return;
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

/** `seek(n)`: the time until the frame after it was drawn, and of the call alone (the model). */
const SEEK_JS = `(async (n) => {
  const t0 = performance.now();
  window.__loopscope.seek(n);
  const call = performance.now() - t0;
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return [performance.now() - t0, call];
})`;

async function metric(cdp: { send(m: string): Promise<unknown> }, name: string): Promise<number> {
  const r = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return (r.metrics.find((m) => m.name === name)?.value ?? Number.NaN) * 1000;
}

/** The page's own errors: the static server has no API, so the catalog requests answer 404. */
const isApiMiss = (e: string): boolean => /status of 404 .*\/api\//.test(e);

async function main(): Promise<void> {
  const dists = (opts.dist ?? join(repoRoot, 'apps/web/dist')).split(',').map((d) => resolve(d));
  for (const dist of dists) {
    if (!existsSync(join(dist, 'index.html'))) {
      console.error(`${dist} has no built app: run \`pnpm build\` first`);
      process.exit(2);
    }
  }
  const file = recording();
  const events = eventCount(file);
  const bytes = statSync(file).size;
  const loadStart = load();
  const head = [
    `date        ${new Date().toISOString()}`,
    `machine     Linux ${release()}, ${availableParallelism()} x ${cpus()[0]?.model ?? 'unknown'}`,
    `recording   ${file} (${events.toLocaleString('en-US')} events, ${(bytes / 1e6).toFixed(0)} MB)`,
    `load avg    ${loadStart} (at start)`,
    ...dists.map((d, i) => `build ${String.fromCharCode(65 + i)}     ${d}`),
  ];
  log(head.join('\n'));
  const servers = await Promise.all(dists.map((d) => serveStatic(d)));
  const browser = await launch();
  const samples: Sample[] = [];
  try {
    for (let r = 0; r < repeats * dists.length; r++) {
      // Builds take turns; every other round in the opposite order.
      const round = Math.floor(r / dists.length);
      const k = r % dists.length;
      const build = round % 2 === 0 ? k : dists.length - 1 - k;
      const server = servers[build]!;
      const { page, errors } = await openPage(browser);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      await page.goto(`${server.url}?src=replay`);
      await page.waitForFunction(
        `!!(window.__loopscope && window.__loopscope.store.getState().status.state === 'ready')`,
        null,
        { timeout: 60_000 },
      );
      // The floor: the same bytes read by the same page.
      await page.evaluate(`(() => {
        const i = document.createElement('input');
        i.type = 'file'; i.id = 'bench-read'; i.style.display = 'none';
        document.body.appendChild(i);
      })()`);
      await page.setInputFiles('#bench-read', file);
      const readMs = (await page.evaluate(READ_JS)) as number;
      await page.evaluate(`document.getElementById('bench-read').remove()`);
      await page.waitForTimeout(500);

      await page.evaluate(WATCH_JS(basename(file)));
      const cpu0 = await metric(cdp, 'ThreadTime');
      const proc0 = await metric(cdp, 'ProcessTime');
      await page.setInputFiles('[data-testid="replay-file"]', file);
      await page.waitForFunction('window.__benchWatch.done', null, { timeout: 180_000, polling: 20 });
      const cpu1 = await metric(cdp, 'ThreadTime');
      const proc1 = await metric(cdp, 'ProcessTime');
      const heapMb = (await metric(cdp, 'JSHeapUsedSize')) / 1000 / 1e6;
      const w = (await page.evaluate('window.__benchWatch')) as {
        first: number;
        loaded: number;
        longest: number;
        state: string;
        total: number;
      };
      const calls: number[] = [];
      const seekTo = async (n: number) => {
        const [frame, call] = (await page.evaluate(`${SEEK_JS}(${n})`)) as [number, number];
        calls.push(call);
        return frame;
      };
      const total = w.total;
      const jumpMidMs = await seekTo(Math.floor(total / 2));
      const jumpEndMs = await seekTo(total);
      const scrub: number[] = [];
      calls.length = 0;
      for (const k of [7, 13, 2, 18, 5, 11, 0, 16, 9, 3, 19, 14, 6, 1, 17, 10, 4, 15, 8, 12])
        scrub.push(await seekTo(Math.floor((total * (k + 0.5)) / 20)));
      scrub.sort((a, b) => a - b);
      calls.sort((a, b) => a - b);
      const s: Sample = {
        build,
        readMs,
        firstMs: w.first,
        loadedMs: w.loaded,
        mainCpuMs: cpu1 - cpu0,
        procCpuMs: proc1 - proc0,
        heapMb,
        longestFrameMs: w.longest,
        jumpMidMs,
        jumpEndMs,
        scrubMedianMs: (scrub[9]! + scrub[10]!) / 2,
        scrubMaxMs: scrub[scrub.length - 1]!,
        seekCallMs: (calls[9]! + calls[10]!) / 2,
        total,
        state: w.state,
      };
      const name = `run ${r + 1}/${repeats * dists.length} (build ${String.fromCharCode(65 + build)})`;
      if (w.state !== 'ready' || total !== events)
        log(`${name}: the page ended in state ${w.state} with ${total} of ${events} events`);
      const own = errors.filter((e) => !isApiMiss(e));
      if (own.length > 0) log(`${name}: page errors: ${own.join(' | ')}`);
      samples.push(s);
      log(`${name}: loaded in ${(s.loadedMs / 1000).toFixed(2)} s (load avg ${load()})`);
      await page.close();
    }
  } finally {
    await browser.close();
    await Promise.all(servers.map((s) => s.close()));
  }
  const loadEnd = load();
  if (opts.json) {
    console.log(JSON.stringify({ file, events, bytes, loadStart, loadEnd, samples }, null, 2));
    return;
  }
  console.log(
    [...head.slice(0, 3), `load avg    ${loadStart} (start) -> ${loadEnd} (end)`, ...head.slice(4)].join(
      '\n',
    ),
  );
  console.log(table(samples, dists.length));
}

function table(samples: Sample[], builds: number): string {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const m = (ms: number) => ms.toFixed(0);
  const cols: [string, (x: Sample) => string][] = [
    ['read s', (x) => s(x.readMs)],
    ['first s', (x) => s(x.firstMs)],
    ['loaded s', (x) => s(x.loadedMs)],
    ['x read', (x) => (x as Sample & { ratio: number }).ratio.toFixed(1)],
    ['main CPU s', (x) => s(x.mainCpuMs)],
    ['renderer CPU s', (x) => s(x.procCpuMs)],
    ['heap MB', (x) => m(x.heapMb)],
    ['longest frame ms', (x) => m(x.longestFrameMs)],
    ['jump mid ms', (x) => m(x.jumpMidMs)],
    ['jump end ms', (x) => m(x.jumpEndMs)],
    ['scrub med/max ms', (x) => `${m(x.scrubMedianMs)}/${m(x.scrubMaxMs)}`],
    ['seek() ms', (x) => x.seekCallMs.toFixed(1)],
  ];
  type Row = Sample & { ratio: number };
  const withRatio: Row[] = samples.map((x) => ({ ...x, ratio: x.loadedMs / x.readMs }));
  const median = (of: Row[]): Row => {
    const med = (f: (x: Row) => number) => {
      const v = of.map(f).sort((a, b) => a - b);
      const k = v.length >> 1;
      return v.length % 2 ? v[k]! : (v[k - 1]! + v[k]!) / 2;
    };
    const keys = Object.keys(of[0]!) as (keyof Row)[];
    return Object.fromEntries(
      keys.map((k) => [k, typeof of[0]![k] === 'number' ? med((x) => x[k] as number) : of[0]![k]]),
    ) as unknown as Row;
  };
  const tag = (b: number) => (builds > 1 ? ` ${String.fromCharCode(65 + b)}` : '');
  const rows = [
    ['run', ...cols.map((c) => c[0])],
    ...withRatio.map((x, i) => [`#${i + 1}${tag(x.build)}`, ...cols.map((c) => c[1](x))]),
  ];
  for (let b = 0; b < builds; b++) {
    const mine = withRatio.filter((x) => x.build === b);
    if (mine.length > 0) rows.push([`median${tag(b)}`, ...cols.map((c) => c[1](median(mine)))]);
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const line = (r: string[]) =>
    `| ${r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join(' | ')} |`;
  return [
    line(rows[0]!),
    `| ${widths.map((w, j) => (j === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
