/**
 * The write-loss claim, in the page's simulator: evio loses no byte (it writes before it reads),
 * `read-first` does, and the tour's compare view gives each side's client byte verdict.
 */

import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliStats, digest, fmtBytes, gotoApp, statTexts, waitForStore } from '../support/app';
import { launch, openPage, screenshot } from '../support/browser';
import { type RunningServer, repoRoot, startServer } from '../support/server';

const run = promisify(execFile);

let server: RunningServer;
let browser: Browser;
let page: Page;
let errors: string[];
/** `loopscope record write-loss-claim --sim --mode read-first` (seed 1, defaults), summarised. */
let readFirst: Promise<Record<string, unknown>>;

async function cliReadFirst(): Promise<Record<string, unknown>> {
  const out = join(tmpdir(), `loopscope-e2e-read-first-${process.pid}.ndjson`);
  try {
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'apps/server/src/cli.ts',
        'record',
        'write-loss-claim',
        '--sim',
        '--mode',
        'read-first',
        '--seed',
        '1',
        '--out',
        out,
      ],
      { cwd: repoRoot },
    );
    await readFile(out);
    return await cliStats(out);
  } finally {
    await rm(out, { force: true });
  }
}

beforeAll(async () => {
  readFirst = cliReadFirst();
  readFirst.catch(() => {});
  [server, browser] = await Promise.all([startServer(), launch()]);
  ({ page, errors } = await openPage(browser));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Runs the write-loss scenario in the simulator in `mode` from the top bar, to its end. */
async function simulate(p: Page, mode: string) {
  await p.getByTestId('scenario-select').selectOption('write-loss-claim');
  await p.getByTestId('mode-select').selectOption(mode);
  await p.getByTestId('loops-input').fill('1');
  await p.getByTestId('seed-input').fill('1');
  await p.getByTestId('start-button').click();
  const v = await waitForStore(
    p,
    `s.headerScenario === 'write-loss-claim' && s.headerMode === ${JSON.stringify(mode)} && s.state === 'done'`,
  );
  await p.getByTestId('step-end').click();
  await p.waitForFunction(
    (n) => document.querySelector('[data-stat="events"]')?.textContent?.replace(/,/g, '') === String(n),
    v.total,
  );
  return v;
}

describe('the write-loss claim', () => {
  it('evio loses 0 bytes, read-first loses some: in two runs and in the tour’s compare view', async () => {
    await gotoApp(page, `${server.url}?src=sim`);
    await waitForStore(page, `s.sourceKind === 'sim' && s.state === 'done'`);

    // Run 1: evio. Nothing overwritten, every client byte verified.
    await simulate(page, 'evio');
    const evio = await digest(page);
    expect(evio.counters.bytesLost).toBe(0);
    expect(evio.counters.overwrites).toBe(0);
    expect(evio.clients.length).toBeGreaterThan(0);
    for (const c of evio.clients) {
      expect(c.mismatches).toBe(0);
      expect(c.verified).toBeGreaterThan(0);
      expect(c.verified).toBe(c.received);
    }
    expect((await statTexts(page)).bytesLost).toBe('0 B');
    expect((await statTexts(page)).clientMismatches).toBe('0');
    await expect(page.getByTestId('bytes-lost').textContent()).resolves.toBe('bytes lost 0 B');

    // The tour for this scenario offers the comparison with read-first.
    await expect(page.getByTestId('tour-select').inputValue()).resolves.toBe('claim');
    const compareButton = page.getByTestId('tour-compare');
    await expect(compareButton.textContent()).resolves.toMatch(/read-first/);
    await compareButton.click();
    const right = page.getByTestId('compare-right');
    await right.getByTestId('compare-verdict').waitFor({ timeout: 30_000 });
    const left = page.getByTestId('compare-left');
    await expect(left.locator('h3').textContent()).resolves.toMatch(/write-loss-claim.*\(current\)/);
    await expect(right.locator('h3').textContent()).resolves.toMatch(/write-loss-claim.*read-first/);
    await expect(left.getByTestId('compare-verdict').getAttribute('data-bad')).resolves.toBe('false');
    await expect(left.getByTestId('compare-verdict').textContent()).resolves.toMatch(
      /^✓ every byte arrived: .+ verified by the clients$/,
    );
    await expect(right.getByTestId('compare-verdict').getAttribute('data-bad')).resolves.toBe('true');
    const verdict = (await right.getByTestId('compare-verdict').textContent()) ?? '';
    const lost = /^✗ bytes lost: (.+) overwritten, ([\d,]+) mismatching bytes at the client$/.exec(verdict);
    expect(lost, verdict).not.toBeNull();

    // The numbers table: [left, right] of a row.
    const row = async (key: string) =>
      page
        .locator(`[data-testid="compare-row"][data-key="${key}"] td.num`)
        .evaluateAll((tds) => tds.slice(0, 2).map((td) => td.textContent ?? ''));
    expect(await row('bytesLost')).toEqual(['0 B', expect.not.stringMatching(/^0 B$/)]);
    const mismatches = await row('clientMismatches');
    expect(mismatches[0]).toBe('0');
    expect(Number(mismatches[1]!.replace(/,/g, ''))).toBeGreaterThan(0);
    expect((await row('events'))[0]).toBe(evio.total.toLocaleString('en-US'));

    // The simulated side is the same simulation as the CLI's.
    const cli = await readFirst;
    expect(cli.outputBytesOverwritten as number).toBeGreaterThan(0);
    expect((await row('bytesLost'))[1]).toBe(fmtBytes(cli.outputBytesOverwritten as number));
    expect((await row('events'))[1]).toBe((cli.events as number).toLocaleString('en-US'));
    expect(lost![1]).toBe(fmtBytes(cli.outputBytesOverwritten as number));
    expect(Number(lost![2]!.replace(/,/g, ''))).toBe(cli.clientMismatches);
    await screenshot(page, 'write-loss-compare');
    await page.getByTestId('compare-close').click();
    expect(await page.getByTestId('compare').count()).toBe(0);

    // Run 2: read-first in the page. The numbers and the stage say what was lost.
    await simulate(page, 'read-first');
    const rf = await digest(page);
    expect(rf.counters.bytesLost).toBe(cli.outputBytesOverwritten);
    expect(rf.clients.some((c) => c.mismatches > 0)).toBe(true);
    const stats = await statTexts(page);
    expect(stats.bytesLost).toBe(fmtBytes(cli.outputBytesOverwritten as number));
    expect(Number(stats.clientMismatches!.replace(/,/g, ''))).toBe(cli.clientMismatches);
    await expect(page.getByTestId('bytes-lost').textContent()).resolves.toBe(
      `bytes lost ${fmtBytes(cli.outputBytesOverwritten as number)}`,
    );
    expect(
      await page
        .locator('[data-testid="client"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-mismatches'))),
    ).toContain(String(cli.clientMismatches));
    expect(errors).toEqual([]);
  });
});
