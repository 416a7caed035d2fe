/**
 * Replays of committed recordings: the numbers panel agrees with `loopscope stats --json` of the
 * same file, and stepping back undoes exactly one event.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliStats,
  type Digest,
  digest,
  fmtBytes,
  fmtNs,
  gotoApp,
  parseStat,
  replayThroughInput,
  statTexts,
  storeView,
  waitForStore,
} from '../support/app';
import { launch, openPage, screenshot } from '../support/browser';
import { type RunningServer, repoRoot, startServer } from '../support/server';

const FILES = [
  'e2e/fixtures/real-herd-3-loops-round-robin.ndjson',
  'e2e/fixtures/sim-slow-reader-64k.ndjson',
  'apps/web/public/examples/sim-wake-overwrite-evio.ndjson',
].map((f) => join(repoRoot, f));

let server: RunningServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  ({ page, errors } = await openPage(browser));
  await gotoApp(page, `${server.url}?src=replay`);
  await waitForStore(page, `s.sourceKind === 'replay' && s.state === 'ready'`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(file: string): Promise<void> {
  const view = await replayThroughInput(page, {
    name: basename(file),
    mimeType: 'application/x-ndjson',
    buffer: await readFile(file),
  });
  expect(view.state, view.message ?? '').toBe('ready');
  expect(view.decodeError).toBeNull();
}

/** What the numbers panel must show for these `loopscope stats --json` numbers. */
function expectedPanel(s: Record<string, unknown>): Record<string, string | number> {
  const two = (v: unknown) => Number((v as number).toFixed(2));
  return {
    events: s.events as number,
    wakeupsPerAccept: two(s.listenerWakeupsPerAccept),
    syscallsPerRequest: two(s.syscallsPerRequest),
    ctlModPerRequest: two(s.ctlModPerRequest),
    eagainWrites: s.writesEagain as number,
    acceptsDeclined: s.acceptsDeclined as number,
    clientMismatches: s.clientMismatches as number,
    bytesLost: fmtBytes(s.outputBytesOverwritten as number),
    p99: s.latencyP99Ns === null ? '—' : fmtNs(s.latencyP99Ns as number),
  };
}

describe('replay of committed recordings', () => {
  it.each(FILES)('the numbers panel equals `loopscope stats --json` for %s', async (file) => {
    const [cli] = await Promise.all([cliStats(file), open(file)]);
    const view = await storeView(page);
    expect(view.total).toBe(cli.events);
    await page.waitForFunction(
      (n) => document.querySelector('[data-stat="events"]')?.textContent?.replace(/,/g, '') === String(n),
      cli.events,
    );
    const shown = await statTexts(page);
    const want = expectedPanel(cli);
    const got: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(want))
      got[k] = typeof v === 'number' ? parseStat(shown[k] ?? '') : shown[k]!;
    expect(got).toEqual(want);

    // The model at the end of the trace counts the same kernel calls as the CLI.
    await page.getByTestId('step-end').click();
    const end = await digest(page);
    expect(end.position).toBe(cli.events);
    expect(end.ended).toBe(true);
    expect({
      acceptsWon: end.counters.acceptsWon,
      acceptsDeclined: end.counters.acceptsDeclined,
      acceptsEagain: end.counters.acceptsEagain,
      ctlAdd: end.counters.ctlAdd,
      ctlMod: end.counters.ctlMod,
      writesEagain: end.counters.writeEagain,
      partialWrites: end.counters.writePartial,
      bytesLost: end.counters.bytesLost,
      closes: end.counters.closes,
    }).toEqual({
      acceptsWon: cli.acceptsWon,
      acceptsDeclined: cli.acceptsDeclined,
      acceptsEagain: cli.acceptsEagain,
      ctlAdd: cli.ctlAdd,
      ctlMod: cli.ctlMod,
      writesEagain: cli.writesEagain,
      partialWrites: cli.partialWrites,
      bytesLost: cli.outputBytesOverwritten,
      closes: cli.closes,
    });
    expect(end.loops).toHaveLength(cli.loops as number);
  });

  it('shows the log and the code of the current event', async () => {
    const file = FILES[1]!;
    await open(file);
    // The first EAGAIN write: the explanation names it and the code pane highlights the branch.
    const text = await readFile(file, 'utf8');
    const lines = text.split('\n').filter(Boolean).slice(1);
    const at = lines.findIndex((l) => {
      const e = JSON.parse(l) as { kind: string; result?: string };
      return e.kind === 'write' && e.result === 'eagain';
    });
    expect(at).toBeGreaterThan(0);
    await page.evaluate(
      (n) => (window as unknown as { __loopscope: { seek(n: number): void } }).__loopscope.seek(n),
      at + 1,
    );
    await page.waitForFunction(
      (seq) =>
        document.querySelector('[data-testid="event-row"].sel')?.getAttribute('data-seq') === String(seq),
      at,
    );
    await expect(page.locator('[data-testid="event-row"].sel').getAttribute('data-kind')).resolves.toBe(
      'write',
    );
    await expect(page.getByTestId('explanation').textContent()).resolves.toMatch(/EAGAIN/);
    await expect(page.getByTestId('code-pane').first().getAttribute('data-fn')).resolves.toMatch(/\w+/);
    expect(await page.getByTestId('code-hot').count()).toBeGreaterThan(0);
    await expect(page.getByTestId('position').textContent()).resolves.toMatch(
      new RegExp(`^event ${(at + 1).toLocaleString('en-US')} / ${lines.length.toLocaleString('en-US')} `),
    );
    // What the step is about is on screen: the selected row inside the log's viewport, the hot
    // line inside the code pane's, and the pane inside the window.
    await page.waitForFunction(() => {
      const inside = (el: Element | null, box: Element | null) => {
        if (!el || !box) return false;
        const a = el.getBoundingClientRect();
        const b = box.getBoundingClientRect();
        return a.top >= b.top - 1 && a.bottom <= b.bottom + 1 && b.bottom <= window.innerHeight + 1;
      };
      return (
        inside(
          document.querySelector('[data-testid="event-row"].sel'),
          document.querySelector('[data-testid="event-log"]'),
        ) &&
        inside(
          document.querySelector('[data-testid="code-hot"]'),
          document.querySelector('[data-testid="detail"]'),
        )
      );
    });
    await screenshot(page, 'replay-log-code');
  });

  it('step back undoes exactly one event, by the buttons and by the keyboard', async () => {
    await open(FILES[0]!);
    const steps = 24;
    const seen: Digest[] = [await digest(page)];
    for (let i = 1; i <= steps; i++) {
      await page.getByTestId('step-forward').click();
      const d = await digest(page);
      expect(d.position).toBe(i);
      expect(d.lastSeq).toBe(i - 1);
      seen.push(d);
    }
    await page.getByTestId('step-back').click();
    expect(await digest(page)).toEqual(seen[steps - 1]);
    await page.getByTestId('step-back').click();
    expect(await digest(page)).toEqual(seen[steps - 2]);
    await page.getByTestId('step-forward').click();
    expect(await digest(page)).toEqual(seen[steps - 1]);
    await page.keyboard.press('ArrowLeft');
    expect(await digest(page)).toEqual(seen[steps - 2]);
    // The test would pass on a model that never changes: make sure it did.
    expect(seen[steps]).not.toEqual(seen[steps - 1]);
    expect(seen[steps]!.counters).not.toEqual(seen[0]!.counters);
  });

  // The herd is walked step by step above; these two have pending output and overwritten bytes.
  it.each(FILES.slice(1))(
    'at the first event of every kind, → then ← restores the model (%s)',
    async (file) => {
      await open(file);
      await page.getByTestId('step-back').focus();
      const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean).slice(1);
      const firstOfKind = new Map<string, number>();
      lines.forEach((l, i) => {
        const e = JSON.parse(l) as { kind: string; result?: string; outcome?: string; op?: string };
        const key = [e.kind, e.result ?? e.outcome ?? e.op ?? ''].join(':');
        if (!firstOfKind.has(key)) firstOfKind.set(key, i);
      });
      expect(firstOfKind.size).toBeGreaterThan(5);
      let changedMaskOrPending = false;
      for (const [key, i] of firstOfKind) {
        await page.evaluate(
          (n) => (window as unknown as { __loopscope: { seek(n: number): void } }).__loopscope.seek(n),
          i,
        );
        const before = await digest(page);
        expect(before.position, key).toBe(i);
        await page.keyboard.press('ArrowRight');
        const after = await digest(page);
        expect(after.position, key).toBe(i + 1);
        expect(after.lastKind, key).toBe(key.split(':')[0]);
        if (JSON.stringify(after.conns) !== JSON.stringify(before.conns)) changedMaskOrPending = true;
        await page.keyboard.press('ArrowLeft');
        expect(await digest(page), key).toEqual(before);
      }
      expect(changedMaskOrPending).toBe(true);
      expect(errors).toEqual([]);
    },
  );
});
