/**
 * A live `herd` run on the real engine, started from the page: the loops wake, the accept race
 * shows one winner and the losers, the run finishes, and its recording is on the server with
 * every event the page received.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest, gotoApp, storeView, waitForStore } from '../support/app';
import { launch, openPage, screenshot } from '../support/browser';
import { type RunningServer, startServer } from '../support/server';

const LOOPS = 3;
const CONNECTIONS = 16;
const BYTES = 32;
/** A pause between clients so the run lasts long enough to watch (and screenshot) it. */
const GAP_MS = 200;

interface RecordingEntry {
  name: string;
  size: number;
  header: { loops: number; mode: string; scenario: { name: string; params: Record<string, unknown> } | null };
}

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

/** Sum of the loops' wake-ups in the model at the cursor. */
async function wakeups(p: Page): Promise<number> {
  const d = await digest(p);
  return d.loops.reduce((a, l) => a + l.wakeups, 0);
}

describe('live herd run started from the page', () => {
  it('pulses, races for accepts, finishes and records every event', async () => {
    await gotoApp(page, server.url);
    await page.getByTestId('source-live').click();
    await waitForStore(page, `s.sourceKind === 'live' && s.state === 'open'`);

    await page.getByTestId('scenario-select').selectOption('herd');
    await page.getByTestId('mode-select').selectOption('evio');
    await page.getByTestId('loops-input').fill(String(LOOPS));
    // Round-robin: a loop whose turn it is not declines and the listener stays ready, so every
    // race shows losers on the real kernel (with `random` the kernel often wakes a single loop).
    await page.getByTestId('balance-select').selectOption('round-robin');
    await page.getByTestId('param-connections').fill(String(CONNECTIONS));
    await page.getByTestId('param-bytes').fill(String(BYTES));
    await page.getByTestId('param-gapMs').fill(String(GAP_MS));
    await expect(page.getByTestId('loops-input').inputValue()).resolves.toBe(String(LOOPS));
    await page.getByTestId('start-button').click();

    const started = await waitForStore(page, `s.headerScenario === 'herd' && s.total > 0`, 30_000);
    expect(started.sourceKind).toBe('live');
    expect(started.following).toBe(true);
    await expect(page.getByTestId('stop-button').isEnabled()).resolves.toBe(true);

    // One lane per loop.
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="loop-lane"]').length === n,
      LOOPS,
      { timeout: 15_000 },
    );
    const lanes = await page
      .getByTestId('loop-lane')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-loop')));
    expect(lanes).toEqual(['0', '1', '2']);

    // The loops pulse: the stage starts a ring for a loop's wake-up (its description counts them
    // per loop), and the model's wake counts grow while the run goes on.
    const before = await wakeups(page);
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('[data-testid="loop-lane"]')).some(
          (e) => Number(e.getAttribute('data-pulses')) > 0,
        ),
      null,
      { timeout: 15_000 },
    );
    await page.waitForFunction(
      (b) => {
        const m = (window as unknown as { __loopscope: { model: { loops: { wakeups: number }[] } } })
          .__loopscope.model;
        return m.loops.reduce((a, l) => a + l.wakeups, 0) > b;
      },
      before,
      { timeout: 15_000 },
    );

    // The accept race while the run goes on: in the model, a race with its winner and a loop that
    // woke for nothing (races are kept, so no frame can be missed); on the stage, the latest race.
    await page.waitForFunction(
      () => {
        const m = (
          window as unknown as {
            __loopscope: { model: { races: { winner: number | null; entries: { outcome: string }[] }[] } };
          }
        ).__loopscope.model;
        return m.races.some((r) => r.winner !== null && r.entries.some((e) => e.outcome !== 'won'));
      },
      null,
      { timeout: 30_000 },
    );
    await screenshot(page, 'live-herd-stage');
    await page.waitForFunction(
      () =>
        /^accept race #\d+: [1-3] loops? woke → loop [0-2] won fd \d+$/.test(
          document.querySelector('[data-testid="accept-race"]')?.textContent ?? '',
        ) &&
        Array.from(document.querySelectorAll('[data-testid="accept-race-entry"]')).some(
          (e) => e.getAttribute('data-outcome') === 'won',
        ),
      null,
      { timeout: 15_000 },
    );

    const done = await waitForStore(page, `s.runState === 'finished'`, 45_000);
    expect(done.following).toBe(true);
    // The final run message is sent after this tab's events: wait for the end event to be applied.
    await page.waitForFunction(() => {
      const s = (
        window as unknown as {
          __loopscope: {
            store: { getState(): { position: number; buffer: { length: number } } };
            model: { ended: boolean };
          };
        }
      ).__loopscope;
      return s.model.ended && s.store.getState().position === s.store.getState().buffer.length;
    });
    const end = await digest(page);
    const view = await storeView(page);

    // The herd scenario's kernel count: each connection woke every parked loop, most of them
    // without a return from epoll_wait (3 loops; at least 2 even on a loaded machine).
    const kernelWoken = await page
      .locator('[data-stat="kernelWakeupsPerAccept"]')
      .textContent({ timeout: 15_000 });
    expect(Number(kernelWoken)).toBeGreaterThanOrEqual(2);

    // Every connection was accepted exactly once, by one loop, and every loop woke for each.
    expect(end.counters.acceptsWon).toBe(CONNECTIONS);
    expect(end.counters.acceptsDeclined + end.counters.acceptsEagain).toBeGreaterThan(0);
    const finished = end.races.filter((r) => r.winner !== null);
    expect(finished.length).toBeGreaterThan(0);
    for (const r of finished) {
      const winners = r.outcomes.filter((o) => o.endsWith(':won'));
      expect(winners).toEqual([`${r.winner}:won`]);
    }
    expect(end.loops).toHaveLength(LOOPS);
    for (const l of end.loops) expect(l.wakeups).toBeGreaterThan(0);
    // The clients got their echo back, byte for byte.
    expect(end.clients).toHaveLength(CONNECTIONS);
    for (const c of end.clients) {
      expect(c).toMatchObject({ sent: BYTES, verified: BYTES, mismatches: 0 });
    }

    // The herd tour walks to the race: at its last step the stage shows the winner and the losers.
    await page.getByTestId('step-start').click();
    await page.getByTestId('tour-select').selectOption('herd');
    for (let i = 0; i < 4; i++) await page.getByTestId('tour-next').click();
    await expect(page.getByTestId('tour-step').locator('h3').textContent()).resolves.toMatch(/^4\/4 · /);
    const atLoss = await digest(page);
    expect(atLoss.lastKind).toBe('accept');
    // Where the tour stops, the stage knows a race with its winner and a loser (declined or EAGAIN).
    // Which of the recent races it is depends on how the real threads interleaved.
    expect(
      atLoss.races.some(
        (r) =>
          r.outcomes.some((o) => o.endsWith(':won')) && r.outcomes.some((o) => /:(declined|eagain)$/.test(o)),
      ),
    ).toBe(true);

    // The recording is in the server's list, with this run's parameters and every event the page got.
    const res = await fetch(new URL('/api/recordings', server.url));
    expect(res.status).toBe(200);
    const list = (await res.json()) as RecordingEntry[];
    const rec = list.find((r) => r.header.scenario?.name === 'herd');
    expect(rec, JSON.stringify(list)).toBeDefined();
    expect(rec!.name).toMatch(/herd.*\.ndjson$/);
    expect(rec!.header.loops).toBe(LOOPS);
    expect(rec!.header.scenario!.params).toMatchObject({
      connections: CONNECTIONS,
      bytes: BYTES,
      gapMs: GAP_MS,
    });
    const file = await (
      await fetch(new URL(`/api/recordings/${encodeURIComponent(rec!.name)}`, server.url))
    ).text();
    const lines = file.split('\n').filter((l) => l.length > 0);
    expect(lines.length - 1).toBe(view.total);
    expect(JSON.parse(lines.at(-1)!).kind).toBe('end');

    // The same recording replays from the server with the same final model.
    const other = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await gotoApp(other, `${server.url}?src=replay&rec=${encodeURIComponent(`server:${rec!.name}`)}`);
      await waitForStore(other, `s.state === 'ready' && s.total === ${view.total}`);
      await other.getByTestId('step-end').click();
      const replayed = await digest(other);
      expect(replayed.counters).toEqual(end.counters);
      expect(replayed.clients).toEqual(end.clients);
    } finally {
      await other.close();
    }
    expect(errors).toEqual([]);
  });
});
