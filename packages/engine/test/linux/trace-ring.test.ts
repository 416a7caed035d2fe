import { EVENT_KINDS, type FieldSpec, SCHEMA, type TraceEventDraft } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { type DistributiveDraft, type HotTracer, ObjectTracer } from '../../src/core/loop-types';
import { encodeHot } from '../../src/linux/trace-codec';
import { createRing, RingReader, RingWriter } from '../../src/linux/trace-ring';
import { startWorker } from '../../src/linux/ts-worker';

function sample(spec: FieldSpec, i: number, nulls: boolean): unknown {
  if (typeof spec === 'object') return spec.enum[i % spec.enum.length];
  if (nulls && spec.endsWith('?')) return null;
  switch (spec) {
    case 'int':
    case 'int?':
      return -1 - i * 1_000_000_007;
    case 'uint':
    case 'uint?':
      return 2 ** 40 + i;
    case 'str':
    case 'str?':
      return i % 2 ? `errno E${i} ✓ héllo` : `EAGAIN${i}`;
    case 'bool':
      return i % 2 === 0;
    default:
      return [i, 0x80000001, -5, 2 ** 50];
  }
}

/** One event of every kind, with every optional field set, then with every one null. */
function everyKind(): TraceEventDraft[] {
  return [false, true].flatMap((nulls) =>
    EVENT_KINDS.map((kind, i) => {
      const ev: Record<string, unknown> = { kind, t: 1e15 + i + 0.5, loop: i % 3 ? i : -1 };
      for (const [name, spec] of Object.entries(SCHEMA[kind] as Record<string, FieldSpec>)) {
        ev[name] = sample(spec, i, nulls);
      }
      return ev as unknown as TraceEventDraft;
    }),
  );
}

/** Writes `sent` into a 64 KiB ring, flushes, and reads every record back. */
function throughRing(sent: TraceEventDraft[]): TraceEventDraft[] {
  const sab = createRing(1 << 16);
  const w = new RingWriter(sab);
  const r = new RingReader(sab);
  for (const ev of sent) w.emit(ev);
  w.flush();
  const out: TraceEventDraft[] = [];
  r.drain(out);
  return out;
}

describe('trace ring', () => {
  it('round-trips every event kind, across many wraps', () => {
    const sab = createRing(4096);
    const w = new RingWriter(sab);
    const r = new RingReader(sab);
    const events = everyKind();
    const out: TraceEventDraft[] = [];
    for (let round = 0; round < 20; round++) {
      for (const ev of events) {
        // The reader runs on this thread here: the writer must not queue more than the ring holds.
        w.emit(ev);
        w.flush();
        r.drain(out);
      }
    }
    w.flush();
    r.drain(out);
    expect(out.length).toBe(events.length * 20);
    // Decoded events carry a seq placeholder in the recording's key order, for the merger.
    for (let i = 0; i < out.length; i++) expect(out[i]).toEqual({ seq: -1, ...events[i % events.length] });
    expect(Object.keys(out[0]!).slice(0, 4)).toEqual(['seq', 't', 'loop', 'kind']);
    expect(w.stalls).toBe(0);
  });

  it('encodes and publishes before the loop blocks, when events gather and on flush, not after every event', () => {
    const sab = createRing(1 << 20);
    const w = new RingWriter(sab);
    const r = new RingReader(sab);
    const out: TraceEventDraft[] = [];
    const read = (i: number): TraceEventDraft => ({
      kind: 'read',
      t: i,
      loop: 0,
      fd: 7,
      gen: 1,
      sys: 'read',
      max: 65535,
      bytes: 64,
      result: 'data',
      errno: null,
    });
    w.emit(read(0));
    w.emit(read(1));
    expect(r.drain(out)).toBe(0);
    w.emit({ kind: 'wait-enter', t: 2, loop: 0, epfd: 5, max: 64, timeoutMs: 100 });
    expect(r.drain(out)).toBe(3);
    w.emit(read(3));
    w.flush();
    expect(r.drain(out)).toBe(1);
    // A busy loop that never waits is still seen: at the latest every 512 events.
    let i = 4;
    while (r.drain(out) === 0) w.emit(read(i++));
    expect(i - 4).toBe(512);
    expect(out.map((ev) => ev.t)).toEqual(Array.from({ length: out.length }, (_, k) => k));
  });

  it('keeps every number exact whether it fits an int32 or not, the marker values and null included', () => {
    const edges = [
      0,
      -1,
      1,
      2147483647,
      -2147483646,
      -2147483647,
      -2147483648,
      -2147483649,
      2 ** 31,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
    ];
    const sent: TraceEventDraft[] = [];
    for (const v of edges) {
      sent.push({ kind: 'sys', t: 5, loop: 0, name: 'x', fd: v, gen: Math.abs(v), ret: v, errno: null });
      sent.push({ kind: 'sys', t: 6, loop: 0, name: 'x', fd: null, gen: null, ret: v, errno: null });
    }
    sent.push({ kind: 'wait-return', t: 7, loop: 0, n: 1, ready: edges, errno: null, blockedNs: 2 ** 40 });
    expect(throughRing(sent)).toEqual(sent.map((ev) => ({ seq: -1, ...ev })));
  });

  it('round-trips the strings it writes as codes, and strings close to them', () => {
    const strs = ['read', 'write', 'recvfrom', 'sendto', 'EAGAIN', 'ECONNRESET', 'EPIPE', 'EBADF'];
    const sent: TraceEventDraft[] = [...strs, 'reads', 'EAGAIN2', '', 'wrïte'].map((s, i) => ({
      kind: 'write',
      t: i,
      loop: 0,
      fd: 3,
      gen: 1,
      sys: s,
      asked: 64,
      written: 0,
      result: 'eagain',
      errno: strs[(i + 4) % strs.length]!,
    }));
    expect(throughRing(sent)).toEqual(sent.map((ev) => ({ seq: -1, ...ev })));
  });

  it('rejects an unknown kind with a clear error', () => {
    for (const kind of ['nope', 'toString', '__proto__', 'constructor']) {
      const sab = createRing(4096);
      const w = new RingWriter(sab);
      const r = new RingReader(sab);
      w.emit({ kind: 'mark', t: 1, loop: 0, text: 'before' });
      expect(() => w.emit({ kind, t: 2, loop: 0 } as unknown as TraceEventDraft)).toThrow(
        `unknown event kind "${kind}"`,
      );
      w.emit({ kind: 'mark', t: 3, loop: 0, text: 'after' });
      w.flush();
      // The events around it are not lost.
      const out: TraceEventDraft[] = [];
      r.drain(out);
      expect(out.map((ev) => ev.t)).toEqual([1, 3]);
    }
  });

  it('writes the hot kinds from positional calls exactly as the events they stand for', () => {
    const sab = createRing(1 << 16);
    const w = new RingWriter(sab);
    const r = new RingReader(sab);
    const viaObjects: TraceEventDraft[] = [];
    class Collect extends ObjectTracer {
      readonly enabled = true;
      emit(ev: DistributiveDraft, t: number, loop: number): void {
        viaObjects.push({ ...ev, t, loop } as TraceEventDraft);
      }
    }
    const c = new Collect();
    const expected: TraceEventDraft[] = [];
    const kinds = Object.keys(encodeHot) as (keyof HotTracer)[];
    expect(kinds.sort()).toEqual(['ctl', 'handler', 'out', 'read', 'write']);
    for (const nulls of [false, true]) {
      for (let i = 0; i < 6; i++) {
        for (const kind of kinds) {
          const specs = Object.entries(SCHEMA[kind] as Record<string, FieldSpec>);
          // Known strings (read, EAGAIN...) and others, small and large numbers, nulls.
          // Every field a different value, so that two fields swapped show.
          const args = specs.map(([name, spec], k) =>
            name === 'sys'
              ? ['read', 'write', 'recvfrom', 'sendto', 'readv', ''][i]
              : sample(spec, i + 7 * k, nulls),
          );
          const t = 1e12 + i;
          const ev: Record<string, unknown> = { kind, t, loop: i };
          specs.forEach(([name], k) => {
            ev[name] = args[k];
          });
          expected.push(ev as unknown as TraceEventDraft);
          const call = (tracer: HotTracer) =>
            (tracer[kind] as (...a: unknown[]) => void).call(tracer, t, i, ...args);
          call(w);
          call(c);
        }
      }
    }
    w.flush();
    const out: TraceEventDraft[] = [];
    r.drain(out);
    expect(out).toEqual(expected.map((ev) => ({ seq: -1, ...ev })));
    expect(viaObjects).toEqual(expected);
  });

  it('loses nothing when the reader is slow: the writer waits', async () => {
    const ring = createRing(8192);
    const count = 10_000;
    const reader = new RingReader(ring);
    const worker = startWorker(new URL('./ring-writer.fixture.ts', import.meta.url), {
      workerData: { ring, count },
    });
    const out: TraceEventDraft[] = [];
    const finished = new Promise<{ stalls: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    let done = false;
    void finished.then(() => {
      done = true;
    });
    while (!done || out.length < count) {
      reader.drain(out);
      await new Promise((r) => setTimeout(r, 1));
    }
    const { stalls } = await finished;
    await worker.terminate();
    expect(out.length).toBe(count);
    out.forEach((ev, i) => {
      expect(ev.t).toBe(i);
      if (i % 3 === 0) expect(ev).toMatchObject({ kind: 'mark', text: `event ${i} ${'x'.repeat(i % 50)}` });
      else expect(ev).toMatchObject({ kind: 'read', fd: i, bytes: i });
    });
    expect(stalls).toBeGreaterThan(0);
    expect(reader.stalls).toBe(stalls);
  });
});
