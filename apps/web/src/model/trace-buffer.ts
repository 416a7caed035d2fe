/**
 * Every event received so far, in seq order: the columns the views read for every event (a
 * non-decreasing time for binary search, loop, kind, color, fd, log groups), each loop's
 * blocked-in-epoll_wait slices, and the events themselves, kept one of two ways:
 * - objects (live, sim, an imported strace log), appended by `append`;
 * - a recording's text (replay): chunks of NDJSON lines with the offset of each line, appended
 *   by `appendChunk` with columns already built (and every line validated) by the recording
 *   worker. An event object is parsed from its line only when the cursor or a view asks for it
 *   (`event(i)`), and kept in a small cache.
 */
import type { TraceEvent, TraceHeader, TraceStats } from '@loopscope/trace';
import { allocColumns, type EventColumns, WAIT_ENTER, WAIT_RETURN, writeColumns } from './columns';

type NumArray = Float64Array | Uint8Array | Uint16Array | Int16Array | Int32Array;

/** A growable typed array: `data` holds the values up to `length`. */
class TypedList<A extends NumArray> {
  data: A;
  length = 0;

  constructor(private readonly alloc: (n: number) => A) {
    this.data = alloc(1024);
  }

  /** Makes room for `n` values in all. */
  reserve(n: number): void {
    if (n <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < n) cap *= 2;
    const next = this.alloc(cap);
    next.set(this.data);
    this.data = next;
  }

  push(v: number): void {
    if (this.length === this.data.length) this.reserve(this.length + 1);
    this.data[this.length++] = v;
  }

  pushAll(values: A): void {
    this.reserve(this.length + values.length);
    this.data.set(values, this.length);
    this.length += values.length;
  }
}

/** Growable Uint8 array (per-event palette index for the timeline). */
export class U8List extends TypedList<Uint8Array> {
  constructor() {
    super((n) => new Uint8Array(n));
  }
}

/** Growable Float64 array (the timeline reads `data` up to `length`). */
export class F64List extends TypedList<Float64Array> {
  constructor() {
    super((n) => new Float64Array(n));
  }
}

export class U16List extends TypedList<Uint16Array> {
  constructor() {
    super((n) => new Uint16Array(n));
  }
}

export class I16List extends TypedList<Int16Array> {
  constructor() {
    super((n) => new Int16Array(n));
  }
}

export class I32List extends TypedList<Int32Array> {
  constructor() {
    super((n) => new Int32Array(n));
  }
}

/** One loop's waits: `start[i]`..`end[i]` in ns; an open wait has `end` = NaN. */
export interface WaitSlices {
  start: F64List;
  end: F64List;
  /** seq of each wait's return (or -1 while open). */
  returnSeq: F64List;
}

/** Events by index: what the cursor, the tours and the exporters read. */
export interface EventAccess {
  readonly length: number;
  /** The event at index `i` (0 <= i < length). */
  event(i: number): TraceEvent;
}

/**
 * A piece of a recording's text, as the recording worker sends it: whole lines, one event each,
 * every one already validated, with their columns.
 */
export interface TextChunk {
  /** Index of the chunk's first event in the trace. */
  first: number;
  /** The lines, each ended by `\n`. */
  bytes: Uint8Array;
  /** Byte offset of each event's line in `bytes`, then the end of the last line (events + 1 entries). */
  starts: Uint32Array;
  columns: EventColumns;
}

/** Parsed events kept at most (twice this: the cache keeps two generations). */
const CACHE_EVENTS = 16_384;

export class TraceBuffer implements EventAccess {
  /** Running maximum of `t`: monotonic even when loops report slightly out of order. */
  readonly times = new F64List();
  readonly waits: WaitSlices[] = [];
  /** Per event: its palette index (see `paletteIndex`), precomputed so the timeline only reads bytes. */
  readonly colors = new U8List();
  /** Per event: its `loop`. */
  readonly loopOf = new I16List();
  /** Per event: its kind's code (`KIND_CODE`). */
  readonly kinds = new U8List();
  /** Per event: its `fd` field, or -1. */
  readonly fds = new I32List();
  /** Per event: wait-return `blockedNs`, accept `listenerFd`, else 0. */
  readonly aux = new F64List();
  /** Per event: the log groups that show it (`groupBits`). */
  readonly groups = new U16List();
  firstT = 0;
  lastT = 0;
  loops: number;
  /**
   * The numbers of the whole trace, when the source computed them (a replayed recording: the
   * recording worker); null when the views compute them from the events.
   */
  stats: TraceStats | null = null;
  private readonly objects: TraceEvent[] = [];
  private readonly chunks: TextChunk[] = [];
  private cache = new Map<number, TraceEvent>();
  private older = new Map<number, TraceEvent>();
  private readonly utf8 = new TextDecoder();

  constructor(
    readonly header: TraceHeader | null,
    loops?: number,
  ) {
    this.loops = loops ?? header?.loops ?? 1;
  }

  get length(): number {
    return this.times.length;
  }

  /** Whether the events are a recording's text (parsed on demand) rather than objects. */
  get isText(): boolean {
    return this.chunks.length > 0;
  }

  private slices(loop: number): WaitSlices {
    while (this.waits.length <= loop) {
      this.waits.push({ start: new F64List(), end: new F64List(), returnSeq: new F64List() });
    }
    if (loop + 1 > this.loops) this.loops = loop + 1;
    return this.waits[loop]!;
  }

  /**
   * Makes room for `n` events in all (a recording's probable size): the columns then grow once
   * instead of doubling again and again.
   */
  reserve(n: number): void {
    for (const c of [this.times, this.colors, this.loopOf, this.kinds, this.fds, this.aux, this.groups])
      c.reserve(n);
  }

  /** Appends events (already in seq order). */
  append(batch: readonly TraceEvent[]): void {
    if (batch.length === 0) return;
    if (this.chunks.length > 0) throw new Error('TraceBuffer: events appended to a recording read as text');
    const cols = allocColumns(batch.length);
    for (let i = 0; i < batch.length; i++) {
      writeColumns(cols, i, batch[i]!);
      this.objects.push(batch[i]!);
    }
    this.appendColumns(cols, (k) => batch[k]!.seq);
  }

  /** Appends a chunk of a recording's text (its events follow the ones already here). */
  appendChunk(chunk: TextChunk): void {
    const n = chunk.starts.length - 1;
    if (n <= 0) return;
    if (this.objects.length > 0) throw new Error('TraceBuffer: a recording chunk appended to events');
    if (chunk.first !== this.length)
      throw new Error(`TraceBuffer: chunk at ${chunk.first}, expected ${this.length}`);
    this.chunks.push(chunk);
    // A validated recording numbers its events from 0 by 1: the seq is the index.
    this.appendColumns(chunk.columns, (k) => chunk.first + k);
  }

  /**
   * Appends the columns of the next events. Kept to small loops: this runs once per chunk of a
   * recording over a hundred thousand events, and the compiler's time on a large function with
   * everything inlined cost more than the loops themselves.
   */
  private appendColumns(c: EventColumns, seqOf: (k: number) => number): void {
    this.colors.pushAll(c.color);
    this.loopOf.pushAll(c.loop);
    this.kinds.pushAll(c.kind);
    this.fds.pushAll(c.fd);
    this.aux.pushAll(c.aux);
    this.groups.pushAll(c.groups);
    this.appendTimes(c.t);
    this.addWaits(c, seqOf);
  }

  /** Appends the running maximum of the times `t` (the timeline's time never goes back). */
  private appendTimes(t: Float64Array): void {
    const times = this.times;
    const start = times.length;
    if (start === 0 && t.length > 0) this.firstT = t[0]!;
    times.reserve(start + t.length);
    const d = times.data;
    let last = start === 0 ? (t[0] ?? 0) : this.lastT;
    for (let k = 0; k < t.length; k++) {
      const tk = t[k]!;
      if (tk > last) last = tk;
      d[start + k] = last;
    }
    times.length = start + t.length;
    this.lastT = last;
  }

  /** The loops the events name, and the waits their wait-enter and wait-return events open and close. */
  private addWaits(c: EventColumns, seqOf: (k: number) => number): void {
    const loop = c.loop;
    const kind = c.kind;
    for (let k = 0; k < loop.length; k++) {
      const l = loop[k]!;
      if (l < 0) continue;
      if (l >= this.loops) this.loops = l + 1;
      const code = kind[k]!;
      if (code === WAIT_ENTER || code === WAIT_RETURN) this.addWait(c, k, seqOf);
    }
  }

  /** The wait-enter or wait-return at row `k` of `c`: opens or closes a wait of its loop. */
  private addWait(c: EventColumns, k: number, seqOf: (k: number) => number): void {
    const w = this.slices(c.loop[k]!);
    const tk = c.t[k]!;
    if (c.kind[k] === WAIT_ENTER) {
      w.start.push(tk);
      w.end.push(Number.NaN);
      w.returnSeq.push(-1);
      return;
    }
    const i = w.end.length - 1;
    const blockedNs = c.aux[k]!;
    if (i >= 0 && Number.isNaN(w.end.data[i]!)) {
      w.end.data[i] = tk;
      w.returnSeq.data[i] = seqOf(k);
    } else {
      w.start.push(blockedNs >= 0 ? tk - blockedNs : tk);
      w.end.push(tk);
      w.returnSeq.push(seqOf(k));
    }
  }

  /** The event at index `i` (0 <= i < length): parsed from the recording's text if need be. */
  event(i: number): TraceEvent {
    if (i < this.objects.length) return this.objects[i]!;
    return this.cache.get(i) ?? this.remember(i, this.older.get(i) ?? this.parse(i));
  }

  /**
   * Calls `fn` with events `from` .. `to - 1` in order. For a recording read as text, the lines
   * of a run are decoded in one go (far cheaper than one by one): what the cursor uses to move.
   */
  forEach(from: number, to: number, fn: (ev: TraceEvent, i: number) => void): void {
    const end = Math.min(to, this.length);
    let i = Math.max(0, from);
    for (; i < end && i < this.objects.length; i++) fn(this.objects[i]!, i);
    while (i < end) {
      const c = this.chunks[this.chunkOf(i)]!;
      const k0 = i - c.first;
      const k1 = Math.min(end - c.first, c.starts.length - 1);
      const text = this.utf8.decode(c.bytes.subarray(c.starts[k0]!, c.starts[k1]!));
      let pos = 0;
      for (let k = k0; k < k1; k++, i++) {
        const nl = text.indexOf('\n', pos);
        const ev = this.cached(i) ?? this.remember(i, JSON.parse(text.slice(pos, nl)) as TraceEvent);
        pos = nl + 1;
        fn(ev, i);
      }
    }
  }

  private cached(i: number): TraceEvent | undefined {
    return this.cache.get(i) ?? this.older.get(i);
  }

  private remember(i: number, ev: TraceEvent): TraceEvent {
    if (this.cache.size >= CACHE_EVENTS) {
      this.older = this.cache;
      this.cache = new Map();
    }
    this.cache.set(i, ev);
    return ev;
  }

  /** Index of the chunk holding event `i`. */
  private chunkOf(i: number): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (chunks[mid]!.first <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private parse(i: number): TraceEvent {
    if (i < 0 || i >= this.length) throw new RangeError(`TraceBuffer: no event ${i} (length ${this.length})`);
    const c = this.chunks[this.chunkOf(i)]!;
    const k = i - c.first;
    // The recording worker validated this line: it parses to a valid event.
    return JSON.parse(this.utf8.decode(c.bytes.subarray(c.starts[k]!, c.starts[k + 1]!))) as TraceEvent;
  }

  /** Events `from` .. `to - 1` as objects (parsing them all for a recording read as text). */
  slice(from: number, to: number): TraceEvent[] {
    const end = Math.min(to, this.length);
    if (end <= this.objects.length) return this.objects.slice(from, end);
    const out: TraceEvent[] = [];
    this.forEach(from, end, (ev) => out.push(ev));
    return out;
  }

  /** A recording read as text: its event lines, in order (for a download without re-encoding). */
  textParts(): Uint8Array[] | null {
    if (this.chunks.length === 0) return null;
    return this.chunks.map((c) => c.bytes.subarray(c.starts[0]!, c.starts[c.starts.length - 1]!));
  }

  /** Index of the first event with time >= t. */
  indexAtTime(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    const d = this.times.data;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (d[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Time of the event at index i (clamped). */
  timeAt(i: number): number {
    if (this.times.length === 0) return 0;
    const k = Math.max(0, Math.min(this.times.length - 1, i));
    return this.times.data[k]!;
  }
}
