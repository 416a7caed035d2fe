/**
 * What `web-live.ts` measures inside the page and in the browser's processes: frames counted by
 * requestAnimationFrame, the events that reached the app's trace (its buffer: received, parsed
 * and stored), the events the app applied to its model (the cursor), the events the server
 * dropped for the page (too slow to read), the main thread's CPU (`Performance.getMetrics`) and
 * the CPU of every browser process (`/proc`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { openPage } from '../e2e/support/browser';

/** playwright-core's types, through the e2e support (the package is a dependency of e2e/ only). */
export type Page = Awaited<ReturnType<typeof openPage>>['page'];
type CDPSession = Awaited<ReturnType<ReturnType<Page['context']>['newCDPSession']>>;

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ is 100 on every Linux build in use). */
const CLK_TCK = 100;
/** A frame longer than this is a long frame. */
export const LONG_FRAME_MS = 50;

// Runs before any script of the page: plain source text, so no bundler helper reaches the browser.
export const INIT_SCRIPT = `(() => {
  const b = { frames: 0, long: 0, worst: 0, last: 0 };
  window.__bench = b;
  const tick = (t) => {
    if (b.last) {
      const d = t - b.last;
      if (d > ${LONG_FRAME_MS}) b.long++;
      if (d > b.worst) b.worst = d;
    }
    b.last = t;
    b.frames++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

const SAMPLE_JS = `(() => {
  const b = window.__bench;
  const ls = window.__loopscope;
  const s = ls ? ls.store.getState() : null;
  const worst = b.worst;
  b.worst = 0;
  return {
    now: performance.now(), frames: b.frames, long: b.long, worst,
    events: s ? s.buffer.length : 0, dropped: s ? s.status.dropped || 0 : 0,
    applied: s ? window.__loopscope.model.applied : 0,
  };
})()`;

/** A full-viewport canvas redrawn every frame with stage-like text and boxes (software raster cost). */
export const CANVAS_PAGE = `<!doctype html><html><body style="margin:0;background:#0f1216">
<canvas id="c" style="display:block;width:100vw;height:100vh"></canvas><script>
const c = document.getElementById('c');
const dpr = window.devicePixelRatio || 1;
c.width = innerWidth * dpr; c.height = innerHeight * dpr;
const ctx = c.getContext('2d');
let n = 0;
const draw = () => {
  n++;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = '#0f1216'; ctx.fillRect(0, 0, innerWidth, innerHeight);
  ctx.font = '11px monospace';
  for (let i = 0; i < 400; i++) {
    const x = (i % 20) * 70 + 10, y = Math.floor(i / 20) * 44 + 20;
    ctx.fillStyle = '#19212b'; ctx.fillRect(x, y - 14, 64, 38);
    ctx.fillStyle = i % 3 ? '#5aa9ff' : '#4cd790';
    ctx.fillText('fd ' + ((i + n) % 997), x + 4, y);
    ctx.fillText('read ' + ((i * 7 + n) % 4096) + ' B', x + 4, y + 16);
  }
  requestAnimationFrame(draw);
};
requestAnimationFrame(draw);
</script></body></html>`;

/** One reading of the page's counters, the main thread's metrics and the browser's CPU. */
export interface Reading {
  wallMs: number;
  frames: number;
  long: number;
  worstMs: number;
  events: number;
  dropped: number;
  applied: number;
  /** Main-thread CPU seconds (ThreadTime), and task/script/layout/style/paint durations in s. */
  thread: number;
  task: number;
  script: number;
  layout: number;
  style: number;
  /** CPU seconds of every browser process (renderer, GPU, browser) so far. */
  browserCpu: number;
}

/** The differences between two readings, as rates over the window. */
export interface Window {
  seconds: number;
  fps: number;
  longFrames: number;
  worstMs: number;
  arrivedPerS: number;
  appliedPerS: number;
  dropped: number;
  /** Shares of one core. */
  mainCpu: number;
  script: number;
  layout: number;
  style: number;
  browserCpu: number;
}

/** CPU seconds used so far by every descendant process of `root` (the browser is our child). */
export function descendantCpu(root: number): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(f[1]));
      cpu.set(Number(name), (Number(f[11]) + Number(f[12])) / CLK_TCK);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  let total = 0;
  for (const [pid, seconds] of cpu) {
    if (pid === root) continue;
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        total += seconds;
        break;
      }
    }
  }
  return total;
}

/** Reads the counters now. */
export async function read(page: Page, cdp: CDPSession): Promise<Reading> {
  const [s, m] = await Promise.all([
    page.evaluate(SAMPLE_JS) as Promise<
      Omit<Reading, 'wallMs' | 'worstMs' | 'thread' | 'task'> & {
        now: number;
        worst: number;
      }
    >,
    cdp.send('Performance.getMetrics'),
  ]);
  const metric = (name: string) => m.metrics.find((x) => x.name === name)?.value ?? 0;
  return {
    wallMs: s.now,
    frames: s.frames,
    long: s.long,
    worstMs: s.worst,
    events: s.events,
    dropped: s.dropped,
    applied: s.applied,
    thread: metric('ThreadTime'),
    task: metric('TaskDuration'),
    script: metric('ScriptDuration'),
    layout: metric('LayoutDuration'),
    style: metric('RecalcStyleDuration'),
    browserCpu: descendantCpu(process.pid),
  };
}

/** Rates between readings `a` and `b` (b later). */
export function between(a: Reading, b: Reading): Window {
  const s = Math.max(1e-3, (b.wallMs - a.wallMs) / 1000);
  return {
    seconds: s,
    fps: (b.frames - a.frames) / s,
    longFrames: b.long - a.long,
    worstMs: b.worstMs,
    arrivedPerS: (b.events - a.events) / s,
    appliedPerS: (b.applied - a.applied) / s,
    dropped: b.dropped - a.dropped,
    mainCpu: (b.thread - a.thread) / s,
    script: (b.script - a.script) / s,
    layout: (b.layout - a.layout) / s,
    style: (b.style - a.style) / s,
    browserCpu: (b.browserCpu - a.browserCpu) / s,
  };
}

/** Opens a CDP session on the page with the Performance domain on. */
export async function metricsSession(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return cdp;
}
