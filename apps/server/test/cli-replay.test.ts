import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecording, makeHeader } from '@loopscope/trace';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prepareReplay, safeName } from '../src/commands/replay';
import { replayPath } from '../src/commands/server-options';

let dir: string;
let data: string;
const text = encodeRecording(
  makeHeader({
    mode: 'evio',
    loops: 1,
    balance: null,
    scenario: null,
    host: null,
    source: { type: 'hand', program: null, pids: [], seed: null },
  }),
  [
    { seq: 0, t: 0, loop: -1, kind: 'mark', text: 'hi' },
    { seq: 1, t: 1, loop: -1, kind: 'end', events: 1 },
  ],
);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loopscope-replay-'));
  data = join(dir, 'data');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('puts a valid recording into the data folder under a safe name and builds the page URL', async () => {
  const file = join(dir, '.my run (1).ndjson');
  await writeFile(file, text);
  const name = await prepareReplay(file, data);
  expect(name).toBe('my-run--1-.ndjson');
  expect(await readdir(data)).toEqual([name]);
  expect(await prepareReplay(file, data)).toBe(name);
  expect(await prepareReplay(join(data, name), data)).toBe(name);
  expect(replayPath(name)).toBe('/?src=replay&rec=server%3Amy-run--1-.ndjson');
});

it('refuses a broken recording, naming the line', async () => {
  const file = join(dir, 'broken.ndjson');
  await writeFile(file, text.replace('"text":"hi"', '"text":5'));
  await expect(prepareReplay(file, data)).rejects.toThrow(/^broken.ndjson:2: field "text"/);
  await expect(prepareReplay(join(dir, 'none.ndjson'), data)).rejects.toThrow(/no such recording file/);
});

it('makes names safe', () => {
  expect(safeName('../../etc/passwd')).toBe('-.-etc-passwd.ndjson');
  expect(safeName('a..b.NDJSON')).toBe('a.b.ndjson');
  expect(safeName('...')).toBe('recording.ndjson');
});
