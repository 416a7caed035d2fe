/**
 * What the tests read of the page: the store and model behind `window.__loopscope` (digested to
 * plain JSON), the visible controls and the numbers panel; and the `loopscope` CLI they compare it to.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { repoRoot } from './server';

const run = promisify(execFile);

/** The model's counters (apps/web `Counters`). */
export type CounterName =
  | 'events'
  | 'syscalls'
  | 'waits'
  | 'wakeups'
  | 'timeouts'
  | 'acceptsWon'
  | 'acceptsDeclined'
  | 'acceptsEagain'
  | 'ctlAdd'
  | 'ctlMod'
  | 'ctlDel'
  | 'reads'
  | 'readEagain'
  | 'writes'
  | 'writeEagain'
  | 'writePartial'
  | 'bytesRead'
  | 'bytesWritten'
  | 'bytesLost'
  | 'overwrites'
  | 'handlers'
  | 'faults'
  | 'closes';

/** A serialisable picture of the model at the cursor: what "the same view" means in the tests. */
export interface Digest {
  position: number;
  total: number;
  applied: number;
  lastSeq: number;
  lastKind: string | null;
  ended: boolean;
  counters: Record<CounterName, number>;
  loops: {
    index: number;
    state: string;
    lastReady: number;
    readyFds: number[];
    wakeups: number;
    wastedWakeups: number;
    timeouts: number;
    eagainWrites: number;
    conns: number;
    branch: string | null;
  }[];
  conns: {
    loop: number;
    fd: number;
    gen: number;
    mask: number;
    phase: string;
    pending: number;
    lost: number;
  }[];
  races: { id: number; winner: number | null; outcomes: string[] }[];
  clients: { id: number; sent: number; received: number; verified: number; mismatches: number }[];
}

/** The store's state the tests wait on (status of the source, sizes, the run). */
export interface StoreView {
  sourceKind: string;
  label: string;
  state: string;
  message: string | null;
  runState: string | null;
  total: number;
  position: number;
  playing: boolean;
  following: boolean;
  decodeError: { line: number; message: string; valid: number } | null;
  run: {
    scenario: string;
    mode: string;
    loops: number;
    balance: string;
    seed: number;
    params: Record<string, unknown>;
  };
  headerScenario: string | null;
  headerMode: string | null;
}

// The functions below run in the page: they are plain source text so that the bundler's helpers
// (esbuild's __name) never end up in code that the browser evaluates.
const STORE_JS = `(() => {
  const s = window.__loopscope.store.getState();
  return {
    sourceKind: s.sourceKind,
    label: s.sourceLabel,
    state: s.status.state,
    message: s.status.message,
    runState: s.status.run ? s.status.run.state : null,
    total: s.buffer.length,
    position: s.position,
    playing: s.playing,
    following: s.following,
    decodeError: s.decodeError,
    run: s.run,
    headerScenario: s.header && s.header.scenario ? s.header.scenario.name : null,
    headerMode: s.header ? s.header.mode : null,
  };
})()`;

const DIGEST_JS = `(() => {
  const s = window.__loopscope.store.getState();
  const m = window.__loopscope.model;
  const conns = [];
  m.conns.forEach((map, loop) => map.forEach((c) => conns.push({
    loop, fd: c.fd, gen: c.gen, mask: c.mask, phase: c.phase, pending: c.pending, lost: c.lost,
  })));
  conns.sort((a, b) => a.loop - b.loop || a.fd - b.fd);
  const clients = [];
  m.clients.forEach((c) => clients.push({
    id: c.id, sent: c.sent, received: c.received, verified: c.verified, mismatches: c.mismatches,
  }));
  clients.sort((a, b) => a.id - b.id);
  return {
    position: s.position,
    total: s.buffer.length,
    applied: m.applied,
    lastSeq: m.lastSeq,
    lastKind: m.lastKind,
    ended: m.ended,
    counters: Object.assign({}, m.counters),
    loops: m.loops.map((l) => ({
      index: l.index, state: l.state, lastReady: l.lastReady, readyFds: l.readyFds.slice(),
      wakeups: l.wakeups, wastedWakeups: l.wastedWakeups, timeouts: l.timeouts,
      eagainWrites: l.eagainWrites, conns: l.conns, branch: l.branch,
    })),
    conns,
    races: m.races.map((r) => ({ id: r.id, winner: r.winner, outcomes: r.entries.map((e) => e.loop + ':' + e.outcome) })),
    clients,
  };
})()`;

export function storeView(page: Page): Promise<StoreView> {
  return page.evaluate(STORE_JS) as Promise<StoreView>;
}

export function digest(page: Page): Promise<Digest> {
  return page.evaluate(DIGEST_JS) as Promise<Digest>;
}

/** Waits until `window.__loopscope` exists (the app's module ran). */
export async function waitForApp(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction('!!(window.__loopscope && window.__loopscope.store)', null, { timeout });
}

/**
 * Opens `url` and waits for the app. If apps/web/dist is rebuilt meanwhile, a
 * page loaded in the middle of a build misses its script (404) and never starts, so it is
 * loaded again (at most 4 times) once the build had time to finish.
 */
export async function gotoApp(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let onMissing: (what: string) => void = () => {};
    const missing = new Promise<string>((resolve) => {
      onMissing = resolve;
    });
    const onResponse = (r: { status(): number; url(): string }) => {
      if (r.status() >= 400 && /\/assets\//.test(r.url())) onMissing(`${r.status()} ${r.url()}`);
    };
    page.on('response', onResponse);
    let what: string | null;
    try {
      await page.goto(url);
      const ready = waitForApp(page).then(() => null);
      // Left behind when the script is missing: the next load ends it.
      ready.catch(() => {});
      what = await Promise.race([ready, missing]);
    } finally {
      page.off('response', onResponse);
    }
    if (what === null) return;
    if (attempt >= 4) throw new Error(`the app did not load ${attempt} times: ${what}`);
    await new Promise((r) => setTimeout(r, 3_000));
  }
}

/**
 * Waits until the store matches `predicate`, a JS expression over `s` (the `StoreView`), e.g.
 * `s.state === 'done'`. On a timeout the error shows the last state seen.
 */
export async function waitForStore(page: Page, predicate: string, timeout = 30_000): Promise<StoreView> {
  try {
    await page.waitForFunction(`(() => { const s = ${STORE_JS}; return ${predicate}; })()`, null, {
      timeout,
      polling: 50,
    });
  } catch (err) {
    const last = await storeView(page).catch(() => null);
    throw new Error(
      `waiting for ${predicate}: ${err instanceof Error ? err.message.split('\n')[0] : err}\nlast: ${JSON.stringify(last)}`,
    );
  }
  return storeView(page);
}

/** The numbers panel as `{ stat: text }` (`data-stat` -> shown value). */
export async function statTexts(page: Page): Promise<Record<string, string>> {
  const pairs = await page
    .getByTestId('stat-value')
    .evaluateAll((els) => els.map((e) => [e.getAttribute('data-stat') ?? '', e.textContent ?? '']));
  return Object.fromEntries(pairs);
}

/** The top bar's run controls as shown (values of the inputs and menus that exist). */
export async function controlValues(page: Page): Promise<Record<string, string>> {
  const pairs = await page
    .locator(
      '[data-testid="scenario-select"], [data-testid="mode-select"], [data-testid="loops-input"], [data-testid="balance-select"], [data-testid="seed-input"], [data-testid^="param-"]',
    )
    .evaluateAll((els) =>
      els.map((e) => [
        e.getAttribute('data-testid') ?? '',
        (e as HTMLInputElement | HTMLSelectElement).value,
      ]),
    );
  return Object.fromEntries(pairs);
}

/**
 * Opens a file in the replay source through the page's file input, as a user picking it would;
 * resolves once it is decoded (or stopped at a bad line).
 */
export async function replayThroughInput(
  page: Page,
  file: { name: string; mimeType: string; buffer: Buffer },
): Promise<StoreView> {
  if ((await storeView(page)).sourceKind !== 'replay') {
    await page.getByTestId('source-replay').click();
    await waitForStore(page, `s.sourceKind === 'replay' && s.state !== 'loading'`);
  }
  await page.getByTestId('replay-file').setInputFiles(file);
  return waitForStore(
    page,
    `s.label === ${JSON.stringify(file.name)} && (s.state === 'ready' || s.state === 'error')`,
  );
}

/** `loopscope stats --json FILE`, run from the repository as a user would. */
export async function cliStats(file: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'apps/server/src/cli.ts', 'stats', '--json', file],
    { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** The app's byte format (theme.ts `fmtBytes`): what the numbers panel shows for a byte count. */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The app's duration format (theme.ts `fmtNs`). */
export function fmtNs(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${Math.round(ns)} ns`;
  if (a < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (a < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}

/** A stat value parsed back to a number ("1,234" -> 1234, "14.25" -> 14.25, "—" -> NaN). */
export function parseStat(text: string): number {
  return Number(text.replace(/,/g, '').trim());
}
