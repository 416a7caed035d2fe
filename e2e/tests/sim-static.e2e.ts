/**
 * The simulator needs no Loopscope server: the built app on a plain static file server (no
 * `/api`, no `/ws`) runs a sim scenario to its end, and the trace is the one the CLI's
 * simulator makes with the same parameters.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliStats, digest, gotoApp, parseStat, statTexts, waitForStore } from '../support/app';
import { launch, openPage, screenshot } from '../support/browser';
import { repoRoot } from '../support/server';
import { type StaticServer, serveStatic } from '../support/static-server';

const run = promisify(execFile);
const DIST = join(repoRoot, 'apps/web/dist');
const RUN = { scenario: 'herd', loops: 4, balance: 'round-robin', seed: 3, conns: 8 };

let site: StaticServer;
let root: string;
let browser: Browser;
let page: Page;
let errors: string[];
let cli: Promise<Record<string, unknown>>;

/**
 * A copy of the build, checked to be whole (every asset index.html names exists): another
 * engineer may rebuild apps/web/dist while this runs.
 */
async function snapshotDist(): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'loopscope-e2e-dist-'));
    try {
      await cp(DIST, dir, { recursive: true });
      const html = await readFile(join(dir, 'index.html'), 'utf8');
      const assets = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+)"/g)].map((m) => m[1]!);
      if (assets.length === 0) throw new Error('index.html names no assets');
      await Promise.all(assets.map((a) => stat(join(dir, a))));
      return dir;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if (attempt >= 4) throw new Error(`apps/web/dist is not a whole build (run pnpm build): ${err}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function cliSim(): Promise<Record<string, unknown>> {
  const out = join(tmpdir(), `loopscope-e2e-sim-herd-${process.pid}.ndjson`);
  try {
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'apps/server/src/cli.ts',
        'record',
        RUN.scenario,
        '--sim',
        '--loops',
        String(RUN.loops),
        '--balance',
        RUN.balance,
        '--seed',
        String(RUN.seed),
        '--param',
        `conns=${RUN.conns}`,
        '--out',
        out,
      ],
      { cwd: repoRoot },
    );
    return await cliStats(out);
  } finally {
    await rm(out, { force: true });
  }
}

beforeAll(async () => {
  cli = cliSim();
  cli.catch(() => {});
  root = await snapshotDist();
  [site, browser] = await Promise.all([serveStatic(root), launch()]);
  ({ page, errors } = await openPage(browser));
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the simulator on a static host', () => {
  it('runs herd on 4 loops to the end with no API, as the CLI simulator does', async () => {
    await gotoApp(page, site.url);
    // With no server the default is the simulator, and it runs at once.
    await waitForStore(page, `s.sourceKind === 'sim' && s.state === 'done'`);
    await page.getByTestId('scenario-select').selectOption(RUN.scenario);
    await page.getByTestId('loops-input').fill(String(RUN.loops));
    await page.getByTestId('balance-select').selectOption(RUN.balance);
    await page.getByTestId('seed-input').fill(String(RUN.seed));
    await page.getByTestId('param-conns').fill(String(RUN.conns));
    await page.getByTestId('start-button').click();
    const done = await waitForStore(page, `s.headerScenario === 'herd' && s.state === 'done'`);
    expect(done.message).toBe(`Simulation finished: ${done.total.toLocaleString('en-US')} events`);
    expect(done.run).toMatchObject({
      scenario: 'herd',
      loops: RUN.loops,
      balance: RUN.balance,
      seed: RUN.seed,
    });

    // Play at full speed to the end, as a user would, and look at the stage on the way.
    await page.getByTestId('speed').press('End');
    await expect(page.getByTestId('speed-value').textContent()).resolves.toBe('100x');
    await waitForStore(page, `s.position === s.total`, 30_000);
    await page.waitForFunction(
      (n) => document.querySelector('[data-stat="events"]')?.textContent?.replace(/,/g, '') === String(n),
      done.total,
    );

    const want = await cli;
    expect(done.total).toBe(want.events);
    const stats = await statTexts(page);
    expect(parseStat(stats.events!)).toBe(want.events);
    expect(parseStat(stats.wakeupsPerAccept!)).toBe(
      Number((want.listenerWakeupsPerAccept as number).toFixed(2)),
    );
    expect(parseStat(stats.acceptsDeclined!)).toBe(want.acceptsDeclined);
    // A herd on 4 loops: more than one loop wakes per accept.
    expect(want.listenerWakeupsPerAccept as number).toBeGreaterThan(1);

    const end = await digest(page);
    expect(end.ended).toBe(true);
    expect(end.loops).toHaveLength(RUN.loops);
    expect(end.counters.acceptsWon).toBe(RUN.conns);
    expect(end.counters.acceptsWon).toBe(want.acceptsWon);
    expect(await page.getByTestId('loop-lane').count()).toBe(RUN.loops);
    expect(await page.getByTestId('error-banner').count()).toBe(0);
    await screenshot(page, 'sim-run-static');

    // Nothing but files was asked of the host; the API calls it tried got the host's 404.
    const api = site.requests.filter((r) => /^\w+ \/(api|ws)\b/.test(r));
    for (const r of api) expect(r).toMatch(/-> 404$/);
    const failed = site.requests.filter(
      (r) => !/^\w+ \/(api|ws)\b/.test(r) && !/ \/favicon\.ico -> 404$/.test(r) && !/-> 200$/.test(r),
    );
    expect(failed).toEqual([]);
    expect(site.requests.some((r) => /^GET \/assets\/.+\.js -> 200$/.test(r))).toBe(true);
    expect(errors.filter((e) => !/404/.test(e) || !/\/api\//.test(e))).toEqual([]);
  });
});
