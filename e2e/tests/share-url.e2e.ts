/**
 * A shared link restores the view: source, scenario, mode, loops, balance, seed, parameters and
 * position, for a simulation and for a replay picked from the menu.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlValues, digest, gotoApp, storeView, waitForStore } from '../support/app';
import { launch, openPage } from '../support/browser';
import { type RunningServer, startServer } from '../support/server';

let server: RunningServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  ({ page, errors } = await openPage(browser));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Clicks Link and returns the address it put in the bar. */
async function link(p: Page): Promise<URL> {
  await p.getByTestId('share-button').click();
  await expect(p.getByTestId('share-button').textContent()).resolves.toBe('Link copied');
  return new URL(p.url());
}

/** Opens `url` in a new page and waits until it shows position `pos` of a finished trace. */
async function openShared(url: URL, pos: number): Promise<Page> {
  const other = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await gotoApp(other, url.href);
  await waitForStore(
    other,
    `(s.state === 'done' || s.state === 'ready') && s.position === ${pos} && !s.playing`,
  );
  return other;
}

describe('shared links', () => {
  it('a simulation link restores source, run parameters, position and the model', async () => {
    await gotoApp(page, `${server.url}?src=sim`);
    await waitForStore(page, `s.sourceKind === 'sim' && s.state === 'done'`);

    await page.getByTestId('scenario-select').selectOption('echo');
    await page.getByTestId('mode-select').selectOption('read-first');
    await page.getByTestId('loops-input').fill('3');
    await page.getByTestId('balance-select').selectOption('least-connections');
    await page.getByTestId('seed-input').fill('7');
    await page.getByTestId('param-clients').fill('3');
    await page.getByTestId('param-messages').fill('4');
    await page.getByTestId('start-button').click();
    const run = await waitForStore(
      page,
      `s.headerScenario === 'echo' && s.headerMode === 'read-first' && s.state === 'done'`,
    );
    expect(run.total).toBeGreaterThan(150);

    // Pause, go to the start, then 100 + 23 events forward.
    await page.getByTestId('step-start').click();
    await page.getByTestId('step-forward-100').click();
    await page.getByTestId('step-forward').click();
    await page.keyboard.press('Shift+ArrowRight');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await page.getByTestId('step-back-100').click();
    expect((await storeView(page)).position).toBe(103);
    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
    const here = await storeView(page);
    expect(here).toMatchObject({ position: 123, playing: false });
    const want = await digest(page);
    const shown = await controlValues(page);
    expect(shown).toMatchObject({
      'scenario-select': 'echo',
      'mode-select': 'read-first',
      'loops-input': '3',
      'balance-select': 'least-connections',
      'seed-input': '7',
      'param-clients': '3',
      'param-messages': '4',
    });

    const url = await link(page);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      src: 'sim',
      scenario: 'echo',
      mode: 'read-first',
      loops: '3',
      balance: 'least-connections',
      seed: '7',
      'p.clients': '3',
      'p.messages': '4',
      pos: '123',
    });

    const other = await openShared(url, 123);
    try {
      expect(await digest(other)).toEqual(want);
      expect(await controlValues(other)).toEqual(shown);
      await expect(other.getByTestId('position').textContent()).resolves.toBe(
        await page.getByTestId('position').textContent(),
      );
      await expect(other.getByTestId('source-sim').getAttribute('class')).resolves.toMatch(/\bon\b/);
      const theirs = await storeView(other);
      expect(theirs.total).toBe(run.total);
      expect(theirs.run).toEqual(here.run);
    } finally {
      await other.close();
    }
  });

  it('a replay link names the recording picked from the menu and restores the position', async () => {
    await gotoApp(page, `${server.url}?src=replay`);
    await waitForStore(page, `s.sourceKind === 'replay' && s.state === 'ready'`);
    const example = 'sim-wake-overwrite-evio.ndjson';
    await page.getByTestId('replay-pick').selectOption(`example:${example}`);
    await waitForStore(page, `s.label === ${JSON.stringify(example)} && s.state === 'ready'`);
    await page.getByTestId('step-forward-100').click();
    await page.getByTestId('step-back').click();
    await page.getByTestId('step-back').click();
    // 100 is past the end of this 63-event recording: the view is at its end, minus two.
    const here = await storeView(page);
    expect(here.position).toBe(here.total - 2);
    const want = await digest(page);

    const url = await link(page);
    expect(url.searchParams.get('src')).toBe('replay');
    expect(url.searchParams.get('rec')).toBe(`example:${example}`);
    expect(url.searchParams.get('pos')).toBe(String(here.position));

    const other = await openShared(url, here.position);
    try {
      const theirs = await storeView(other);
      expect(theirs.label).toBe(example);
      expect(await digest(other)).toEqual(want);
    } finally {
      await other.close();
    }
    expect(errors).toEqual([]);
  });
});
