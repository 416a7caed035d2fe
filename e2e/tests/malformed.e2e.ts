/**
 * Bad files picked in the replay source: the banner names the line and the reason, what was
 * valid before it is shown, and the page stays usable (never blank, never a crashed view).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest, gotoApp, replayThroughInput, waitForStore } from '../support/app';
import { launch, openPage, screenshot } from '../support/browser';
import { type RunningServer, repoRoot, startServer } from '../support/server';

const FIXTURE = join(repoRoot, 'e2e/fixtures/real-herd-3-loops-round-robin.ndjson');

let server: RunningServer;
let browser: Browser;
let page: Page;
let errors: string[];
let good: string;

beforeAll(async () => {
  [server, browser, good] = await Promise.all([startServer(), launch(), readFile(FIXTURE, 'utf8')]);
  ({ page, errors } = await openPage(browser));
  await gotoApp(page, `${server.url}?src=replay`);
  await waitForStore(page, `s.sourceKind === 'replay' && s.state === 'ready'`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Picks `text` as a file named `name`; resolves with the store once the replay gave up. */
async function pick(name: string, content: string | Buffer) {
  return replayThroughInput(page, {
    name,
    mimeType: 'application/x-ndjson',
    buffer: typeof content === 'string' ? Buffer.from(content) : content,
  });
}

/** The page is whole: top bar, stage, transport, log and numbers on screen, no view crashed. */
async function expectPageUsable(p: Page): Promise<void> {
  for (const id of ['topbar', 'stage', 'transport', 'stats', 'event-log', 'source-picker']) {
    await expect(p.getByTestId(id).first().isVisible(), id).resolves.toBe(true);
  }
  expect(await p.locator('.crash').count()).toBe(0);
  const box = await p.getByTestId('stage').boundingBox();
  expect(box!.width).toBeGreaterThan(400);
  expect(box!.height).toBeGreaterThan(200);
}

describe('malformed recordings in the replay source', () => {
  it('a truncated recording: stops at the cut line, shows the events before it', async () => {
    const lines = good.split('\n');
    // Cut in the middle of line 121 (file line numbers count the header as line 1).
    const cutLine = 121;
    const head = lines.slice(0, cutLine - 1).join('\n');
    const partial = lines[cutLine - 1]!.slice(0, 40);
    const view = await pick('truncated.ndjson', `${head}\n${partial}`);
    expect(view.state).toBe('error');
    expect(view.decodeError).toMatchObject({ line: cutLine, valid: cutLine - 2 });

    const banner = page.getByTestId('error-banner');
    await expect(banner.isVisible()).resolves.toBe(true);
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain(`This recording stops at line ${cutLine}.`);
    expect(text).toMatch(/cut off/);
    expect(text).toContain(`The ${cutLine - 2} valid events before it are shown.`);
    await expect(page.getByTestId('position').textContent()).resolves.toMatch(
      new RegExp(`^event 0 / ${cutLine - 2} `),
    );
    await expectPageUsable(page);
    expect(await page.getByTestId('event-row').count()).toBeGreaterThan(3);

    // The valid part replays: at its end the three loops are on the stage.
    await page.getByTestId('step-end').click();
    const d = await digest(page);
    expect(d.position).toBe(cutLine - 2);
    expect(d.loops).toHaveLength(3);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="loop-lane"]').length === 3);
    await screenshot(page, 'error-banner-truncated');
  });

  it('a garbage file: stops at line 1 because the header is not JSON', async () => {
    const view = await pick('garbage.ndjson', 'hello world\nthis is not a recording\n');
    expect(view.state).toBe('error');
    expect(view.decodeError).toMatchObject({ line: 1, valid: 0 });
    const text = (await page.getByTestId('error-banner').textContent()) ?? '';
    expect(text).toContain('This recording stops at line 1.');
    expect(text).toMatch(/expected a recording header, got a line that is not JSON/);
    await expect(page.getByTestId('position').textContent()).resolves.toMatch(/^event 0 \/ 0 /);
    // Nothing of the previous file is left on the stage.
    expect(await page.getByTestId('loop-lane').count()).toBe(0);
    await expectPageUsable(page);
    await screenshot(page, 'error-banner-garbage');
  });

  it('binary garbage and a bad event field: each names its line and reason', async () => {
    const binary = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37 + 11) % 256));
    const v1 = await pick('binary.ndjson', binary);
    expect(v1.state).toBe('error');
    expect(v1.decodeError?.line).toBe(1);
    await expect(page.getByTestId('error-banner').textContent()).resolves.toContain(
      'This recording stops at line 1.',
    );
    await expectPageUsable(page);

    // Line 6 is an event whose `kind` is not a kind: the reason names the field.
    const lines = good.split('\n');
    const bad = JSON.parse(lines[5]!) as Record<string, unknown>;
    bad.kind = 'teleport';
    lines[5] = JSON.stringify(bad);
    const v2 = await pick('bad-field.ndjson', lines.join('\n'));
    expect(v2.state).toBe('error');
    expect(v2.decodeError).toMatchObject({ line: 6, valid: 4 });
    const text = (await page.getByTestId('error-banner').textContent()) ?? '';
    expect(text).toContain('This recording stops at line 6.');
    expect(text).toMatch(/kind/);
    await expectPageUsable(page);

    // A good file afterwards clears the banner.
    const v3 = await pick('good-again.ndjson', good);
    expect(v3.state).toBe('ready');
    expect(await page.getByTestId('error-banner').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
