/**
 * The replayed recording kept as text plus columns (built by `RecordingIndexer`, parsed on
 * demand) against the eager path (every event decoded, appended as objects, reduced one by one):
 * the same events, columns, wait bands, numbers and models at every position; in one part or
 * two; and the same errors, after the same valid events, for bad files.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimRun } from '@loopscope/engine';
import {
  computeStats,
  decodeRecording,
  encodeRecording,
  makeHeader,
  type TraceEvent,
  type TraceStats,
} from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { Cursor } from '../src/model/cursor';
import { GROUPS, groupBits } from '../src/model/event-groups';
import { emptyModel } from '../src/model/model';
import {
  type EventPlace,
  type HeadState,
  type IndexDone,
  type IndexerSink,
  RecordingIndexer,
} from '../src/model/recording-index';
import { applyEvent } from '../src/model/reduce';
import { type TextChunk, TraceBuffer } from '../src/model/trace-buffer';
import type { Model } from '../src/model/types';
import { indexRecording } from '../src/sources/recording-read';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (p: string) => readFileSync(resolve(root, p), 'utf8');

/** A simulated recording of a few thousand events (several snapshots, several chunks). */
function simRecording(): string {
  const run = createSimRun({
    scenario: 'echo',
    mode: 'evio',
    loops: 3,
    balance: 'round-robin',
    seed: 5,
    params: { clients: 6, messages: 200 },
  });
  const drafts = [];
  while (!run.done && drafts.length < 40_000) drafts.push(...run.advance(5_000));
  const events = drafts.map((d, seq) => ({ ...d, seq }) as TraceEvent);
  expect(events[events.length - 1]!.kind).toBe('end');
  const header = makeHeader({
    mode: 'evio',
    loops: 3,
    balance: 'round-robin',
    scenario: { name: 'echo', params: {} },
    host: null,
    source: { type: 'sim', program: null, pids: [], seed: 5 },
  });
  return encodeRecording(header, events);
}

const RECORDINGS: [string, string][] = [
  ['evio-echo fixture', read('packages/trace/test/fixtures/evio-echo.ndjson')],
  ['real herd (e2e)', read('e2e/fixtures/real-herd-3-loops-round-robin.ndjson')],
  ['slow reader (e2e)', read('e2e/fixtures/sim-slow-reader-64k.ndjson')],
  ['wake overwrite (example)', read('apps/web/public/examples/sim-wake-overwrite-evio.ndjson')],
  ['sim echo, 3 loops', simRecording()],
];

interface Indexed {
  chunks: TextChunk[];
  snapshots: Map<number, Model>;
  stats: TraceStats | null;
  done: IndexDone | null;
  /** Tail part: its first event (undefined: not told yet). */
  tailFirst: EventPlace | null | undefined;
  indexer: RecordingIndexer;
}

/** Indexes `bytes` pushed in slices of `step` bytes (a worker's sink, copying what it posts). */
function index(
  bytes: Uint8Array,
  step: number,
  part: 'whole' | 'tail' = 'whole',
  snapshotEvery = 512,
): Indexed {
  const out = {
    chunks: [],
    snapshots: new Map(),
    stats: null,
    done: null,
    tailFirst: undefined,
  } as unknown as Indexed;
  const sink: IndexerSink = {
    header: () => {},
    chunk: (c, s) => {
      out.chunks.push(structuredClone(c));
      if (s) out.stats = s;
    },
    snapshot: (at, m) => out.snapshots.set(at, structuredClone(m)),
    done: (d) => {
      out.done = d;
    },
    tailFirst: (f) => {
      out.tailFirst = f;
    },
  };
  out.indexer = new RecordingIndexer(sink, { source: 'rec.ndjson', part, snapshotEvery });
  push(out, bytes, step);
  return out;
}

function push(ix: Indexed, bytes: Uint8Array, step: number): void {
  for (let at = 0; at < bytes.length; at += step) ix.indexer.push(bytes.slice(at, at + step));
}

/**
 * Indexes `bytes` as a head (before `cut`) and a tail; the tail gets the head's state (a copy)
 * before its input ends (`early`: when half of it is in) or after.
 */
function inTwoParts(bytes: Uint8Array, cut: number, when: 'early' | 'late') {
  const head = index(bytes.subarray(0, cut), 4096);
  const state = structuredClone(head.indexer.handoff()) as HeadState;
  const rest = bytes.subarray(cut);
  const half = Math.floor(rest.length / 2);
  const tail = index(rest.subarray(0, half), 4096, 'tail');
  if (when === 'early') tail.indexer.resume(state, 1 + state.events);
  push(tail, rest.subarray(half), 4096);
  tail.indexer.end();
  if (when === 'late') tail.indexer.resume(state, 1 + state.events);
  const chunks = [...head.chunks, ...tail.chunks.map((c) => ({ ...c, first: c.first + state.events }))];
  return { head, state, tail, chunks };
}

function textBuffer(chunks: TextChunk[], loops: number): TraceBuffer {
  const b = new TraceBuffer(null, loops);
  for (const c of chunks) b.appendChunk(c);
  return b;
}

function reduceTo(events: readonly TraceEvent[], n: number, loops: number): Model {
  const m = emptyModel(loops);
  for (let i = 0; i < n; i++) applyEvent(m, events[i]!);
  return m;
}

const COLUMNS = ['times', 'colors', 'loopOf', 'kinds', 'fds', 'aux', 'groups'] as const;

function expectSameBuffer(text: TraceBuffer, objects: TraceBuffer): void {
  expect(text.length).toBe(objects.length);
  for (const c of COLUMNS)
    expect(Array.from(text[c].data.subarray(0, text.length)), c).toEqual(
      Array.from(objects[c].data.subarray(0, objects.length)),
    );
  const waits = (b: TraceBuffer) =>
    b.waits.map((w) => [w.start, w.end, w.returnSeq].map((l) => Array.from(l.data.subarray(0, l.length))));
  expect(waits(text)).toEqual(waits(objects));
  expect([text.loops, text.firstT, text.lastT]).toEqual([objects.loops, objects.firstT, objects.lastT]);
}

describe('a recording indexed as text and columns equals the eager path', () => {
  it.each(RECORDINGS)('%s', (_name, text) => {
    const eager = decodeRecording(text);
    const loops = eager.header!.loops;
    const objects = new TraceBuffer(eager.header);
    objects.append(eager.events);
    const bytes = new TextEncoder().encode(text);
    for (const step of [997, 64 * 1024, bytes.length]) {
      const ix = index(bytes, step);
      ix.indexer.end();
      expect(ix.done).toMatchObject({ events: eager.events.length, complete: eager.complete, error: null });
      expect(ix.done!.stats).toEqual(computeStats(eager.header, eager.events));
      const buf = textBuffer(ix.chunks, eager.header!.loops);
      expect(buf.isText).toBe(true);
      expectSameBuffer(buf, objects);
      for (let i = 0; i < eager.events.length; i++) expect(buf.event(i)).toEqual(eager.events[i]);
      expect(buf.slice(0, buf.length)).toEqual(eager.events);
      // The models handed out are the reducer's at those positions.
      for (const [at, m] of ix.snapshots) expect(m).toEqual(reduceTo(eager.events, at, loops));
    }
  });

  it('the cursor over the text, with the handed-out models, steps exactly like the eager one', () => {
    const text = RECORDINGS[4]![1];
    const eager = decodeRecording(text);
    const loops = eager.header!.loops;
    const ix = index(new TextEncoder().encode(text), 32 * 1024, 'whole', 4096);
    ix.indexer.end();
    const buf = textBuffer(ix.chunks, loops);
    const cursor = new Cursor(buf, loops);
    for (const [at, m] of ix.snapshots) cursor.addSnapshot(at, m);
    const n = eager.events.length;
    for (const target of [n, Math.floor(n / 2), 1, 4097, 4096, 4095, n - 1, 0, 8193, 12_000]) {
      if (target > n) continue;
      expect(cursor.seek(target)).toEqual(reduceTo(eager.events, target, loops));
      // One step back undoes exactly one event.
      if (target > 0) expect(cursor.seek(target - 1)).toEqual(reduceTo(eager.events, target - 1, loops));
    }
  });

  it('every log group bit says what the group’s own test says', () => {
    for (const [, text] of RECORDINGS)
      for (const e of decodeRecording(text).events) {
        const bits = groupBits(e);
        GROUPS.forEach((g, i) => {
          expect(((bits >> i) & 1) === 1, `${g.id} ${e.kind}`).toBe(g.test(e));
        });
      }
  });
});

describe('reading a file where no worker runs', () => {
  it('indexes it in the page, slice by slice, to the same end', async () => {
    const text = RECORDINGS[4]![1];
    const eager = decodeRecording(text);
    const seen: string[] = [];
    const chunks: TextChunk[] = [];
    const done = await new Promise<IndexDone>((ok, fail) => {
      indexRecording(new Blob([text]), 'rec.ndjson', (m) => {
        seen.push(m.type);
        if (m.type === 'chunk') chunks.push(m.chunk);
        if (m.type === 'done') ok(m.done);
        if (m.type === 'failed') fail(new Error(m.message));
      });
    });
    expect(seen[0]).toBe('header');
    expect(seen).toContain('snapshot');
    expect(done).toMatchObject({ events: eager.events.length, complete: true, error: null });
    expect(done.stats).toEqual(computeStats(eager.header, eager.events));
    expect(textBuffer(chunks, 3).slice(0, eager.events.length)).toEqual(eager.events);
  });
});

describe('a recording indexed in two parts (head and tail) equals one pass', () => {
  it.each(RECORDINGS.slice(1))('%s', (_name, text) => {
    const eager = decodeRecording(text);
    const bytes = new TextEncoder().encode(text);
    for (const [frac, when] of [
      [0.1, 'late'],
      [0.5, 'early'],
      [0.5, 'late'],
      [0.9, 'early'],
    ] as const) {
      const cut = bytes.indexOf(10, Math.floor(bytes.length * frac)) + 1;
      const { head, state, tail, chunks } = inTwoParts(bytes, cut, when);
      expect(head.done).toBeNull();
      expect(tail.tailFirst).toEqual({ seq: state.last!.seq + 1, t: eager.events[state.events]!.t });
      expect(tail.done).toMatchObject({ events: eager.events.length, complete: eager.complete, error: null });
      expect(tail.done!.stats).toEqual(computeStats(eager.header, eager.events));
      const buf = textBuffer(chunks, eager.header!.loops);
      const objects = new TraceBuffer(eager.header);
      objects.append(eager.events);
      expectSameBuffer(buf, objects);
      expect(buf.slice(0, buf.length)).toEqual(eager.events);
      for (const [at, m] of [...head.snapshots, ...tail.snapshots])
        expect(m).toEqual(reduceTo(eager.events, at, eager.header!.loops));
    }
  });

  it('a bad line in the tail is reported as one pass reports it, after the same valid events', () => {
    const lines = RECORDINGS[4]![1].split('\n');
    for (const at of [0.55, 0.8])
      for (const when of ['early', 'late'] as const) {
        const broken = [...lines];
        const k = Math.floor(broken.length * at);
        broken[k] = broken[k]!.replace(/"kind":"[^"]+"/, '"kind":"teleport"');
        const bytes = new TextEncoder().encode(broken.join('\n'));
        const ref = decodeRecording(bytes, { tolerant: true, source: 'rec.ndjson' });
        const { tail, chunks } = inTwoParts(bytes, bytes.indexOf(10, Math.floor(bytes.length / 2)) + 1, when);
        expect(tail.done!.error).toEqual({ code: 'unknown-kind', line: k + 1, message: ref.error!.message });
        expect(tail.done!.events).toBe(ref.events.length);
        expect(tail.done!.stats).toEqual(computeStats(ref.header, ref.events));
        expect(textBuffer(chunks, 3).slice(0, ref.events.length + 1)).toEqual(ref.events);
      }
  });

  it('a tail says where it starts, or that it has no valid first event', () => {
    const lines = RECORDINGS[1]![1].split('\n');
    const good = index(new TextEncoder().encode(`${lines.slice(40).join('\n')}`), 512, 'tail');
    expect(good.tailFirst).toEqual({ seq: 39, t: (JSON.parse(lines[40]!) as { t: number }).t });
    const bad = index(new TextEncoder().encode(['{"seq":1}', ...lines.slice(41)].join('\n')), 512, 'tail');
    expect(bad.tailFirst).toBeNull();
  });
});

describe('bad recordings: the same error after the same valid events as the trace decoder', () => {
  const good = RECORDINGS[1]![1];
  const lines = good.split('\n');
  const withLine = (i: number, l: string) => [...lines.slice(0, i), l, ...lines.slice(i + 1)].join('\n');
  const cases: [string, string | Uint8Array][] = [
    ['truncated', good.slice(0, good.length - 30)],
    ['unknown kind', withLine(5, lines[5]!.replace(/"kind":"[^"]+"/, '"kind":"teleport"'))],
    ['bad order', withLine(20, lines[21]!)],
    ['not JSON', withLine(30, '{"seq":')],
    ['empty line', withLine(12, '')],
    ['garbage', 'hello world\nthis is not a recording\n'],
    ['empty', ''],
    ['unknown version', withLine(0, lines[0]!.replace('"version":1', '"version":99'))],
    [
      'invalid UTF-8',
      Uint8Array.from([...new TextEncoder().encode(lines.slice(0, 9).join('\n')), 10, 0xff, 0xfe, 10]),
    ],
    ['overlong line', `${lines[0]}\n${'x'.repeat(1024 * 1024 + 10)}\n`],
  ];
  it.each(cases)('%s', (_name, input) => {
    const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
    const ref = decodeRecording(bytes, { tolerant: true, source: 'rec.ndjson' });
    expect(ref.error).not.toBeNull();
    for (const step of [333, 1 << 20]) {
      const ix = index(bytes, step);
      ix.indexer.end();
      expect(ix.done!.error).toEqual({
        code: ref.error!.code,
        line: ref.error!.line,
        message: ref.error!.message,
      });
      expect(ix.done!.events).toBe(ref.events.length);
      const buf = textBuffer(ix.chunks, 3);
      expect(buf.slice(0, buf.length)).toEqual(ref.events);
    }
  });
});
