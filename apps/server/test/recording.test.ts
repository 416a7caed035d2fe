import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRecording, makeHeader, TraceDecodeError, type TraceEvent } from '@loopscope/trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingWriter, readRecording } from '../src/recording/index';

const header = makeHeader({
  created: '2026-11-27T00:00:00.000Z',
  mode: 'evio',
  loops: 1,
  balance: null,
  scenario: null,
  host: null,
  source: { type: 'sim', program: null, pids: [], seed: 1 },
});

function marks(from: number, n: number): TraceEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    seq: from + i,
    t: (from + i) * 10,
    loop: -1,
    kind: 'mark' as const,
    text: `m${from + i} ✓`,
  }));
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loopscope-rec-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('RecordingWriter', () => {
  it('writes header, events and an end event that the decoder accepts', async () => {
    const path = join(dir, 'w.ndjson');
    const w = new RecordingWriter();
    await w.open(path, header);
    await w.write(marks(0, 3));
    await w.write(marks(3, 2));
    await w.close({ end: true });
    expect(w.events).toBe(6);
    const r = decodeRecording(await readFile(path));
    expect(r.header).toEqual(header);
    expect(r.events).toHaveLength(6);
    expect(r.events.at(-1)).toEqual({ seq: 5, t: 40, loop: -1, kind: 'end', events: 5 });
    expect(r.complete).toBe(true);
  });

  it('without end the recording is valid but incomplete', async () => {
    const path = join(dir, 'noend.ndjson');
    const w = new RecordingWriter();
    await w.open(path, header);
    await w.write(marks(0, 2));
    await w.close();
    expect(decodeRecording(await readFile(path)).complete).toBe(false);
  });

  it('waits for drain on big writes and still writes everything in order', async () => {
    const path = join(dir, 'big.ndjson');
    const w = new RecordingWriter();
    await w.open(path, header);
    for (let i = 0; i < 20; i++) await w.write(marks(i * 5000, 5000));
    await w.close({ end: true });
    const r = await readRecording(path);
    expect(r.events).toBe(100_001);
    expect(r.complete).toBe(true);
  });

  it('fails to open in a missing folder with the file system error', async () => {
    await expect(new RecordingWriter().open(join(dir, 'nope', 'x.ndjson'), header)).rejects.toThrow(/ENOENT/);
  });
});

describe('readRecording', () => {
  it('streams batches with the path in error messages', async () => {
    const path = join(dir, 'bad.ndjson');
    const w = new RecordingWriter();
    await w.open(path, header);
    await w.write(marks(0, 10));
    await w.close();
    await writeFile(path, `${await readFile(path, 'utf8')}{"seq":10,"t":1,"loop":-1,"kind":"mark"}\n`);
    const err = await readRecording(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TraceDecodeError);
    expect((err as TraceDecodeError).message).toBe(`${path}:12: field "text": missing (expected a string)`);
    let seen = 0;
    const r = await readRecording(path, {
      tolerant: true,
      chunkBytes: 16,
      onEvents: (b) => {
        seen += b.length;
      },
    });
    expect(r.error?.code).toBe('missing-field');
    expect([r.events, seen]).toEqual([10, 10]);
  });

  it('waits for promises returned by onEvents before reading on', async () => {
    const path = join(dir, 'slow.ndjson');
    const w = new RecordingWriter();
    await w.open(path, header);
    await w.write(marks(0, 3000));
    await w.close();
    let inFlight = 0;
    let maxInFlight = 0;
    await readRecording(path, {
      chunkBytes: 4096,
      onEvents: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
      },
    });
    expect(maxInFlight).toBe(1);
  });
});
