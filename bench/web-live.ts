/**
 * `pnpm exec tsx bench/web-live.ts`: the frame rate of the live view while the real server's
 * websocket (`/ws`, the live protocol, the real hub and its batching) offers a steady number of
 * events per second, measured in headless Chromium on the built app (`pnpm build` first).
 *
 * The events are a simulator recording (`load`, 4 loops, 32 clients; made once and kept in the
 * temp folder) published into the hub at a fixed rate by a run the benchmark announces itself.
 * Every repeat measures, interleaved, three baselines on the same browser: an empty page, the
 * app idle on the live source, and a full-viewport canvas redrawn every frame (what software
 * rendering costs here), then the live view. A benchmark, not a test: it prints, never fails.
 *
 * Options: --rate N (20000 events/s), --seconds N (10, counted window), --warmup N (3 s),
 * --baseline N (5 s), --repeats N (3), --dist [NAME=]DIR (apps/web/dist; repeat it to compare
 * builds in the same run), --json, --trace FILE (a Chromium trace of the first live window, for
 * ui.perfetto.dev), --profile FILE (a main-thread CPU profile of it, `.cpuprofile` for DevTools).
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '../apps/server/src/server';
import { launch, openPage } from '../e2e/support/browser';
import type { RunInfo, TraceEvent, TraceHeader } from '../packages/trace/src/index';
import { RecordingDecoder } from '../packages/trace/src/index';
import { ROOT } from './procs';
import { between, CANVAS_PAGE, INIT_SCRIPT, metricsSession, type Page, read } from './web-live-page';
import { f0, f1, f2, type Line, medians, table } from './web-live-table';

const { values: opts } = parseArgs({
  args: process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')),
  options: {
    rate: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    baseline: { type: 'string', default: '5' },
    repeats: { type: 'string', default: '3' },
    dist: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    trace: { type: 'string' },
    profile: { type: 'string' },
  },
});
const RATE = Number(opts.rate);
const SECONDS = Number(opts.seconds);
const WARMUP = Number(opts.warmup);
const BASELINE = Number(opts.baseline);
const REPEATS = Number(opts.repeats);
/** The builds to measure (`name=DIR` or `DIR`), interleaved in every repeat. */
const DISTS = (opts.dist?.length ? opts.dist : [join(ROOT, 'apps', 'web', 'dist')]).map((d, _i, all) => {
  const eq = d.indexOf('=');
  const dir = resolve(eq > 0 ? d.slice(eq + 1) : d);
  return { name: eq > 0 ? d.slice(0, eq) : all.length > 1 ? basename(dir) : '', dir };
});
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Clients of the recorded `load` run: with 4 loops, 8 connections per lane. */
const CLIENTS = 32;
/** Events the simulator makes per message of one client (measured: ~10.5). */
const EVENTS_PER_MESSAGE = 10;

/** A `load` recording with at least `need` events, made once by the CLI's simulator. */
async function recording(need: number): Promise<string> {
  // Rounded up to 500 messages so that nearby option values share one file.
  const messages = Math.min(10_000, Math.ceil(need / CLIENTS / EVENTS_PER_MESSAGE / 500) * 500);
  const file = join(tmpdir(), `loopscope-web-live-load-4x${CLIENTS}x${messages}.ndjson`);
  if (existsSync(file)) return file;
  log(`recording ${file} (simulator) ...`);
  const args = ['--import', 'tsx', 'apps/server/src/cli.ts', 'record', 'load', '--sim', '--loops', '4'];
  for (const p of [`clients=${CLIENTS}`, `messages=${messages}`, 'maxSteps=20000000', 'maxMs=600000']) {
    args.push('--param', p);
  }
  args.push('--out', file);
  await new Promise<void>((ok, fail) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`record exited with ${code}`))));
  });
  return file;
}

async function loadRecording(file: string): Promise<{ header: TraceHeader; events: TraceEvent[] }> {
  let header: TraceHeader | null = null;
  const events: TraceEvent[] = [];
  const dec = new RecordingDecoder({
    source: file,
    onHeader: (h) => {
      header = h;
    },
    onEvents: (batch) => {
      for (const ev of batch) events.push(ev);
    },
  });
  for await (const chunk of createReadStream(file)) dec.push(chunk as Buffer);
  dec.end();
  if (!header) throw new Error(`${file}: no header`);
  return { header, events };
}

async function measure(
  page: Page,
  seconds: number,
  offered?: () => number,
): Promise<Omit<Line, 'row' | 'repeat'>> {
  const cdp = await metricsSession(page);
  const load1 = loadavg()[0]!;
  const a = await read(page, cdp);
  const sentA = offered?.() ?? 0;
  await sleep(seconds * 1000);
  const b = await read(page, cdp);
  const sentB = offered?.() ?? 0;
  const w = between(a, b);
  await cdp.detach();
  return { ...w, offeredPerS: (sentB - sentA) / w.seconds, load1 };
}

/** Chromium trace categories of `--trace`: main-thread tasks, frames, raster and compositing. */
const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'v8.execute',
  'toplevel',
  'cc',
  'viz',
  'gpu',
  'benchmark',
  'blink',
  'cc.debug',
];
let traced = false;
let profiled = false;

const LIVE_OPEN = `!!(window.__loopscope && window.__loopscope.store.getState().status.state === 'open')`;

/** The app on the live source of a fresh server; `stream` offers events while it is measured. */
async function appRow(
  browser: Awaited<ReturnType<typeof launch>>,
  rec: { header: TraceHeader; events: TraceEvent[] },
  stream: boolean,
  dist: string,
): Promise<Omit<Line, 'row' | 'repeat'>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'loopscope-web-live-'));
  const server = await startServer({ port: 0, dataDir, webDir: dist });
  const { page } = await openPage(browser);
  let timer: ReturnType<typeof setInterval> | null = null;
  try {
    await page.addInitScript(INIT_SCRIPT);
    await page.goto(`${server.url}/?src=live`);
    await page.waitForFunction(LIVE_OPEN, null, { timeout: 30_000 });
    if (!stream) {
      await sleep(1000);
      return await measure(page, BASELINE);
    }
    const { header, events } = rec;
    const run: RunInfo = {
      id: `bench${Date.now().toString(36)}`,
      state: 'running',
      scenario: 'load',
      mode: header.mode,
      loops: header.loops,
      balance: header.balance ?? 'random',
      params: header.scenario?.params ?? {},
      events: 0,
      recording: null,
      listen: null,
      error: null,
    };
    // The first event goes into the hub's resume window before the run is announced, as a run's
    // first events do: the page's `resume` from seq 0 then finds the run.
    let sent = 1;
    server.hub.publish(run.id, events.slice(0, 1));
    server.hub.announce(run, header);
    const t0 = performance.now();
    timer = setInterval(() => {
      const due = Math.min(events.length, 1 + Math.floor((RATE * (performance.now() - t0)) / 1000));
      if (due <= sent) return;
      server.hub.publish(run.id, events.slice(sent, due));
      sent = due;
    }, 4);
    await sleep(WARMUP * 1000);
    const tracing = opts.trace !== undefined && !traced;
    if (tracing) {
      traced = true;
      await browser.startTracing(page, { path: opts.trace, categories: TRACE_CATEGORIES });
    }
    const profiling = opts.profile !== undefined && !profiled;
    const cdp = profiling ? await metricsSession(page) : null;
    if (cdp) {
      profiled = true;
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const line = await measure(page, SECONDS, () => sent);
    if (tracing) await browser.stopTracing();
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      await writeFile(opts.profile!, JSON.stringify(profile));
    }
    if (sent >= events.length) log('  the recording ran out during the window: make it longer');
    return line;
  } finally {
    if (timer) clearInterval(timer);
    await page.close();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A page without the app: `html` set as its content. */
async function plainRow(browser: Awaited<ReturnType<typeof launch>>, html: string) {
  const { page } = await openPage(browser);
  try {
    await page.setContent(html);
    await page.evaluate(INIT_SCRIPT);
    await sleep(1000);
    return await measure(page, BASELINE);
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  for (const d of DISTS) {
    if (existsSync(join(d.dir, 'index.html'))) continue;
    console.error(`no built app in ${d.dir}: run \`pnpm build\` first`);
    process.exit(2);
  }
  const file = await recording(RATE * (WARMUP + SECONDS + 5));
  const rec = await loadRecording(file);
  log(
    `${rec.events.length.toLocaleString('en-US')} events from ${file}; app from ${DISTS.map((d) => d.dir).join(', ')}`,
  );
  const browser = await launch();
  const lines: Line[] = [];
  const liveRow = (name: string) => `live ${RATE / 1000}k/s${name ? ` ${name}` : ''}`;
  try {
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const steps: [string, () => Promise<Omit<Line, 'row' | 'repeat'>>][] = [
        ['empty page', () => plainRow(browser, '<!doctype html><html><body></body></html>')],
        ['app idle', () => appRow(browser, rec, false, DISTS[0]!.dir)],
        ['canvas 1440x900', () => plainRow(browser, CANVAS_PAGE)],
        ...DISTS.map((d): [string, () => Promise<Omit<Line, 'row' | 'repeat'>>] => [
          liveRow(d.name),
          () => appRow(browser, rec, true, d.dir),
        ]),
      ];
      // Odd repeats run the rows backwards: drifts of the machine's load fall on both sides.
      if (repeat % 2) steps.reverse();
      for (const [row, run] of steps) {
        log(`repeat ${repeat + 1}/${REPEATS}: ${row}`);
        lines.push({ row, repeat, ...(await run()) });
      }
    }
  } finally {
    await browser.close();
  }
  const order = ['empty page', 'app idle', 'canvas 1440x900', ...DISTS.map((d) => liveRow(d.name))];
  lines.sort((a, b) => order.indexOf(a.row) - order.indexOf(b.row) || a.repeat - b.repeat);
  const meds = medians(lines);
  if (opts.json) {
    console.log(JSON.stringify({ rate: RATE, seconds: SECONDS, lines, medians: meds }, null, 2));
    return;
  }
  console.log(
    `live view at ${f0(RATE)} events/s offered over /ws; ${SECONDS} s windows after ${WARMUP} s warm-up; ` +
      `headless Chromium 1440x900, --disable-gpu; cpu columns are shares of one core; ` +
      `long = frames > 50 ms; load average ${loadavg().map(f1).join(' ')}`,
  );
  console.log(table([...lines, ...meds]));
  const empty = meds.find((l) => l.row === 'empty page')!;
  for (const d of DISTS) {
    const m = meds.find((l) => l.row === liveRow(d.name))!;
    console.log(
      `${liveRow(d.name)}: ${f1(m.fps)} fps (median) = ${f2(m.fps / Math.max(1e-9, empty.fps))}x the empty page's ` +
        `${f1(empty.fps)} fps; ${f0(m.arrivedPerS)} events/s arrived, ${f0(m.appliedPerS)} applied ` +
        `(target: >= 50 fps at 20,000 events/s)`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
