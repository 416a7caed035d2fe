/**
 * A recording large enough to be read in two parts at once (two recording workers, cut at a
 * line boundary in the middle, on a machine of 4 cores): it replays as one, with the numbers of
 * `loopscope stats`, the model of every event at the end and exact steps in the second part; a
 * bad line in the second part, or a time that goes back where the parts meet, stops at that
 * line as a single pass does.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliStats,
  digest,
  gotoApp,
  parseStat,
  replayThroughInput,
  statTexts,
  waitForStore,
} from '../support/app';
import { launch, openPage } from '../support/browser';
import { type RunningServer, repoRoot, startServer } from '../support/server';

const run = promisify(execFile);

let server: RunningServer;
let browser: Browser;
let page: Page;
let errors: string[];
let dir: string;
let file: string;
let text: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loopscope-large-'));
  file = join(dir, 'large.ndjson');
  // About 10 MB: above the size from which the page reads a recording in two parts.
  const record = run(
    process.execPath,
    [
      '--import',
      'tsx',
      'apps/server/src/cli.ts',
      'record',
      'load',
      '--sim',
      '--loops',
      '3',
      ...['clients=16', 'messages=560', 'maxSteps=5000000', 'maxMs=600000'].flatMap((p) => ['--param', p]),
      '--out',
      file,
    ],
    { cwd: repoRoot },
  );
  [server, browser] = await Promise.all([startServer(), launch(), record]);
  text = await readFile(file, 'utf8');
  ({ page, errors } = await openPage(browser));
  // A machine of 4 cores, where the page reads a large file in two parts (this one may have 2);
  // and a note of which parts the page asks its recording workers to index.
  await page.addInitScript(`(() => {
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 4 });
    window.__parts = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (m, ...rest) {
      if (m && m.type === 'start') window.__parts.push(m.part);
      return post.call(this, m, ...rest);
    };
  })()`);
  await gotoApp(page, `${server.url}?src=replay`);
  await waitForStore(page, `s.sourceKind === 'replay' && s.state === 'ready'`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Opens `content` through the file input; checks that the page read it in a head and a tail part. */
async function pick(name: string, content: string) {
  await page.evaluate('window.__parts.length = 0');
  const view = await replayThroughInput(page, {
    name,
    mimeType: 'application/x-ndjson',
    buffer: Buffer.from(content),
  });
  expect(await page.evaluate('window.__parts')).toEqual(expect.arrayContaining(['whole', 'tail']));
  return view;
}

const seek = (n: number) =>
  page.evaluate(
    (k) => (window as unknown as { __loopscope: { seek(n: number): void } }).__loopscope.seek(k),
    n,
  );

/** The recording's lines (line 1 is the header) and where the page cuts it in two. */
function parts(content: string): { lines: string[]; firstTailLine: number } {
  const bytes = Buffer.from(content);
  expect(bytes.length).toBeGreaterThan(8 * 1024 * 1024);
  const cut = bytes.indexOf(10, Math.floor(bytes.length / 2)) + 1;
  const lines = content.split('\n');
  // The cut is at a line start: the number of newlines before it is the tail's first line index.
  let n = 0;
  for (let i = 0; i < cut; i++) if (bytes[i] === 10) n++;
  return { lines, firstTailLine: n };
}

describe('a recording read in two parts', () => {
  it('replays as one: the numbers of `loopscope stats`, every event, exact steps in the second part', async () => {
    const [cli, view] = await Promise.all([cliStats(file), pick('large.ndjson', text)]);
    expect(view.state, view.message ?? '').toBe('ready');
    expect(view.decodeError).toBeNull();
    expect(view.total).toBe(cli.events);
    await page.waitForFunction(
      (n) => document.querySelector('[data-stat="events"]')?.textContent?.replace(/,/g, '') === String(n),
      cli.events,
    );
    const shown = await statTexts(page);
    expect(parseStat(shown.syscallsPerRequest!)).toBe(Number((cli.syscallsPerRequest as number).toFixed(2)));
    expect(parseStat(shown.eagainWrites!)).toBe(cli.writesEagain);

    await page.getByTestId('step-end').click();
    const end = await digest(page);
    expect(end.position).toBe(cli.events);
    expect(end.ended).toBe(true);
    expect(end.counters.ctlMod).toBe(cli.ctlMod);
    expect(end.counters.acceptsWon).toBe(cli.acceptsWon);
    expect(end.counters.closes).toBe(cli.closes);

    // In the second part: one step back undoes exactly one event.
    const at = Math.floor(((cli.events as number) * 3) / 4);
    await seek(at - 1);
    const before = await digest(page);
    await seek(at);
    const after = await digest(page);
    expect(after.lastSeq).toBe(at - 1);
    await page.getByTestId('step-back').click();
    expect(await digest(page)).toEqual(before);
    expect(after).not.toEqual(before);
    expect(errors).toEqual([]);
  });

  it('a bad line in the second part stops there, with every event before it', async () => {
    const { lines, firstTailLine } = parts(text);
    const bad = firstTailLine + Math.floor((lines.length - firstTailLine) / 2);
    lines[bad] = lines[bad]!.replace(/"kind":"[^"]+"/, '"kind":"teleport"');
    const view = await pick('bad-tail.ndjson', lines.join('\n'));
    expect(view.state).toBe('error');
    expect(view.decodeError).toMatchObject({ line: bad + 1, valid: bad - 1 });
    const banner = (await page.getByTestId('error-banner').textContent()) ?? '';
    expect(banner).toContain(`This recording stops at line ${bad + 1}.`);
    expect(banner).toMatch(/kind/);
  });

  it('time going back where the two parts meet is found as in a single pass', async () => {
    const { lines, firstTailLine } = parts(text);
    const prevT = (JSON.parse(lines[firstTailLine - 1]!) as { t: number }).t;
    const first = JSON.parse(lines[firstTailLine]!) as { t: number };
    // Same length, so the page cuts the file at the same place: a smaller time of as many digits.
    const earlier = 10 ** (String(first.t).length - 1);
    expect(earlier).toBeLessThan(prevT);
    lines[firstTailLine] = lines[firstTailLine]!.replace(`"t":${first.t},`, `"t":${earlier},`);
    const view = await pick('bad-meet.ndjson', lines.join('\n'));
    expect(view.state).toBe('error');
    expect(view.decodeError).toMatchObject({ line: firstTailLine + 1, valid: firstTailLine - 1 });
    const banner = (await page.getByTestId('error-banner').textContent()) ?? '';
    expect(banner).toMatch(/time went back/);
  });
});
