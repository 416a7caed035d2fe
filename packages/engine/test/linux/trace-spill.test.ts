import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceEvent, TraceEventDraft } from '@loopscope/trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createRing, RingReader, RingWriter } from '../../src/linux/trace-ring';
import { mergeSources, SPILL_BATCH, SpillFile, SpillReader } from '../../src/linux/trace-spill';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'loopscope-spill-unit-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const mark = (t: number, text: string, loop = 0): TraceEventDraft => ({ kind: 'mark', t, loop, text });

/** Every event of a spill file, without the merger's seq placeholder. */
function readAll(path: string): TraceEventDraft[] {
  const r = new SpillReader(path);
  const out: TraceEventDraft[] = [];
  for (let ev = r.next(); ev; ev = r.next()) {
    const { seq, ...draft } = ev as TraceEventDraft & { seq: number };
    expect(seq).toBe(-1);
    out.push(draft as TraceEventDraft);
  }
  r.close();
  return out;
}

describe('trace spill', () => {
  it('copies raw ring records to a file and reads back every event, across wraps and ring-end records', () => {
    const sab = createRing(1024);
    const w = new RingWriter(sab);
    const r = new RingReader(sab);
    const file = new SpillFile(join(tmp(), 'loop-0.spill'));
    const sent: TraceEventDraft[] = [];
    let spilled = 0;
    // Records of many sizes, drained every few events: records end exactly at the ring's end,
    // wrap markers, and runs split in two all happen.
    for (let i = 0; i < 3000; i++) {
      const ev = mark(i, 'x'.repeat((i * 7) % 61));
      w.emit(ev);
      sent.push(ev);
      if (i % 5 === 4) {
        w.flush(); // the reader runs on this thread: the writer must not queue more than the ring holds
        spilled += r.drainRaw((b, s, e) => file.append(b, s, e));
      }
    }
    w.flush();
    spilled += r.drainRaw((b, s, e) => file.append(b, s, e));
    file.close();
    expect(spilled).toBe(sent.length);
    expect(readAll(file.path)).toEqual(sent);
  });

  it('reads records larger than its read block, and says when a file is cut or corrupt', () => {
    const dir = tmp();
    const sab = createRing(1 << 20);
    const w = new RingWriter(sab);
    const r = new RingReader(sab);
    const file = new SpillFile(join(dir, 'big.spill'));
    const big = mark(1, 'y'.repeat(60_000));
    for (let i = 0; i < 80; i++) {
      w.emit({ ...big, t: i });
      w.flush();
      r.drainRaw((b, s, e) => file.append(b, s, e)); // 80 x 60 kB: more than one 4 MiB block
    }
    file.close();
    const back = readAll(file.path);
    expect(back).toHaveLength(80);
    expect(back[79]).toEqual({ ...big, t: 79 });

    truncateSync(file.path, 60_000 * 3 + 100);
    expect(() => readAll(file.path)).toThrow('trace spill: file ends inside a record');
    const bad = join(dir, 'bad.spill');
    writeFileSync(bad, Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]));
    expect(() => readAll(bad)).toThrow('trace spill: corrupt record length 3');
    writeFileSync(bad, Buffer.alloc(0));
    expect(readAll(bad)).toEqual([]);
  });

  it('merges sources by time, ties to the lower source, numbers them, and waits for each batch', async () => {
    const a = [mark(1, 'a1'), mark(5, 'a5'), mark(5, 'a5b'), mark(9, 'a9')];
    const b = [mark(0, 'b0'), mark(5, 'b5'), mark(10, 'b10')];
    const c = Array.from({ length: SPILL_BATCH + 3 }, (_, i) => mark(11 + i, `c${i}`, -1));
    const iter = (list: TraceEventDraft[]) => {
      let i = 0;
      return () => list[i++] ?? null;
    };
    const got: TraceEvent[] = [];
    let inFlight = 0;
    const batches: number[] = [];
    const n = await mergeSources([iter(a), iter(b), iter(c)], 100, async (evs) => {
      expect(inFlight).toBe(0);
      inFlight++;
      batches.push(evs.length);
      got.push(...evs);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
    });
    expect(n).toBe(a.length + b.length + c.length);
    expect(batches).toEqual([SPILL_BATCH, n - SPILL_BATCH]);
    expect(got.slice(0, 7).map((e) => (e as { text: string }).text)).toEqual([
      'b0',
      'a1',
      'a5',
      'a5b',
      'b5',
      'a9',
      'b10',
    ]);
    expect(got.map((e) => e.seq)).toEqual(got.map((_, i) => 100 + i));
  });
});
