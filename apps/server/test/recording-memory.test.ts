import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeHeader, type TraceEvent } from '@loopscope/trace';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingWriter, readRecording } from '../src/recording/index';

let dir = '';
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** A batch of realistic loop events (~130 bytes a line), written with the recording writer. */
function batch(from: number, n: number): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (let seq = from; seq < from + n; seq++) {
    const t = seq * 100;
    if (seq % 2 === 0)
      out.push({
        seq,
        t,
        loop: 0,
        kind: 'read',
        fd: 10,
        gen: 3,
        sys: 'read',
        max: 65535,
        bytes: 64,
        result: 'data',
        errno: null,
      });
    else
      out.push({
        seq,
        t,
        loop: 0,
        kind: 'write',
        fd: 10,
        gen: 3,
        sys: 'write',
        asked: 64,
        written: 64,
        result: 'full',
        errno: null,
      });
  }
  return out;
}

describe('readRecording memory', () => {
  it('decodes a ~200 MB recording with a bounded heap', async () => {
    dir = await mkdtemp(join(tmpdir(), 'loopscope-big-'));
    const path = join(dir, 'big.ndjson');
    const total = 1_550_000;
    const w = new RecordingWriter();
    await w.open(
      path,
      makeHeader({
        mode: 'evio',
        loops: 1,
        balance: null,
        scenario: null,
        host: null,
        source: { type: 'sim', program: null, pids: [], seed: 0 },
      }),
    );
    for (let from = 0; from < total; from += 50_000) await w.write(batch(from, 50_000));
    await w.close({ end: true });
    const size = (await stat(path)).size;
    expect(size).toBeGreaterThan(190 * 1000 * 1000);

    let peak = 0;
    let n = 0;
    const started = performance.now();
    const r = await readRecording(path, {
      onEvents: (b) => {
        n += b.length;
        if (n % 65536 < b.length) peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    expect(r.events).toBe(total + 1);
    expect(r.complete).toBe(true);
    expect(n).toBe(total + 1);
    // The file is ~200 MB; holding it (or its 1.5M events) would take the heap far past 160 MB.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(160 * 1024 * 1024);
    console.log(
      `wrote and decoded ${(size / 1e6).toFixed(0)} MB, ${n} events in ${seconds.toFixed(2)} s (${Math.round(n / seconds)} events/s), heap peak ${(peak / 1e6).toFixed(0)} MB`,
    );
  }, 60_000);
});
