/**
 * The lossless trace channel from one loop thread to the main thread: a single-producer,
 * single-consumer ring of binary records (`trace-codec.ts`) in a SharedArrayBuffer.
 *
 * Layout: a 64-byte header of int32 slots (`HEAD` write position, `TAIL` read position, `STALLS`
 * how often the writer had to wait), then `capacity` bytes of records. Positions are byte offsets
 * in [0, capacity); head == tail means empty, and 8 bytes always stay free so a full ring is never
 * mistaken for an empty one. A record that would cross the end is preceded by a wrap marker
 * (length -1) and written at 0.
 * The writer publishes with `Atomics.store(HEAD)` after the bytes are written: not after every
 * record (a sequentially consistent store per event was a visible share of the tracer's cost) but
 * before the loop blocks (`wait-enter`), when it stops (`loop-stop`), before it waits for room,
 * on `flush()`, and whenever `publishBytes` have gathered, so a busy loop is seen at least every
 * few hundred records. The reader frees space with `Atomics.store(TAIL)` and `Atomics.notify`.
 * When the ring is full the writer waits (`Atomics.wait` on TAIL, 2 ms at a time) until the
 * reader drains: never a dropped record.
 */
import { EVENT_KINDS, type TraceEventDraft } from '@loopscope/trace';
import type { DistributiveDraft, Tracer } from '../core/loop-types';
import { decodeRecord, encodeRecord, recordBound, recordKind } from './trace-codec';

const HEADER_BYTES = 64;
const HEAD = 0;
const TAIL = 1;
const STALLS = 2;
const WRAP = -1;
const GAP = 8;

/** Records after which the loop blocks or ends: the writer publishes at once. */
const WAIT_ENTER = EVENT_KINDS.indexOf('wait-enter');
const LOOP_STOP = EVENT_KINDS.indexOf('loop-stop');
/** Unpublished bytes after which the writer publishes anyway (at most an eighth of the ring). */
const PUBLISH_BYTES = 16 * 1024;

/** Default ring size per loop: 4 MiB, about 60,000 records. */
export const DEFAULT_RING_BYTES = 4 * 1024 * 1024;

/** Allocates a ring of `capacity` bytes (rounded up to a multiple of 8). */
export function createRing(capacity = DEFAULT_RING_BYTES): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + ((Math.max(capacity, 1024) + 7) & ~7));
}

class RingView {
  protected readonly hdr: Int32Array;
  protected readonly view: DataView;
  protected readonly bytes: Uint8Array;
  protected readonly cap: number;

  constructor(sab: SharedArrayBuffer) {
    this.hdr = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.cap = sab.byteLength - HEADER_BYTES;
    this.view = new DataView(sab, HEADER_BYTES, this.cap);
    this.bytes = new Uint8Array(sab, HEADER_BYTES, this.cap);
  }

  /** How many times the writer waited for the reader. */
  get stalls(): number {
    return Atomics.load(this.hdr, STALLS);
  }
}

/** The loop thread's side: a `Tracer` that encodes every event into the ring. */
export class RingWriter extends RingView implements Tracer {
  readonly enabled = true;
  private head: number;
  /** Free bytes known without reading the reader's position (it only ever grows). */
  private room = 0;
  /** Bytes written since the head was last published. */
  private unpublished = 0;
  private readonly publishBytes: number;

  constructor(sab: SharedArrayBuffer) {
    super(sab);
    this.head = Atomics.load(this.hdr, HEAD);
    this.publishBytes = Math.min(PUBLISH_BYTES, this.cap >> 3);
  }

  emit(
    ev: TraceEventDraft | DistributiveDraft,
    t = (ev as TraceEventDraft).t,
    loop = (ev as TraceEventDraft).loop,
  ): void {
    const bound = recordBound(ev);
    if (bound < 0) throw new Error(`trace ring: unknown event kind "${ev.kind}"`);
    if (bound > this.cap / 2 - 16) throw new Error(`trace record of ${bound} bytes exceeds the ring`);
    let at = this.head;
    const toEnd = this.cap - at;
    // Space needed: the record, plus the skipped tail of the ring when it must wrap.
    const need = bound > toEnd ? toEnd + bound : bound;
    if (need > this.room) this.waitFor(need);
    this.room -= need;
    if (bound > toEnd) {
      this.view.setInt32(at, WRAP, true);
      at = 0;
    }
    const len = encodeRecord(this.view, this.bytes, at, ev, t, loop);
    this.head = (at + len) % this.cap;
    this.unpublished += len;
    if (this.unpublished >= this.publishBytes) this.flush();
    else {
      const kind = recordKind(this.view, at);
      if (kind === WAIT_ENTER || kind === LOOP_STOP) this.flush();
    }
  }

  /** Makes every record written so far visible to the reader. */
  flush(): void {
    Atomics.store(this.hdr, HEAD, this.head);
    this.unpublished = 0;
  }

  private free(): number {
    const tail = Atomics.load(this.hdr, TAIL);
    return (tail - this.head - GAP + 2 * this.cap) % this.cap;
  }

  private waitFor(need: number): void {
    let counted = false;
    this.room = this.free();
    if (this.room < need) this.flush(); // the reader can only free what it can see
    while (this.room < need) {
      if (!counted) Atomics.add(this.hdr, STALLS, 1);
      counted = true;
      Atomics.wait(this.hdr, TAIL, Atomics.load(this.hdr, TAIL), 2);
      this.room = this.free();
    }
  }
}

/** The main thread's side: decodes every published record. */
export class RingReader extends RingView {
  /** Decodes every record published so far into `out`; returns how many. */
  drain(out: TraceEventDraft[]): number {
    const head = Atomics.load(this.hdr, HEAD);
    let tail = Atomics.load(this.hdr, TAIL);
    let n = 0;
    while (tail !== head) {
      const len = this.view.getInt32(tail, true);
      if (len === WRAP) {
        tail = 0;
        continue;
      }
      out.push(decodeRecord(this.view, this.bytes, tail));
      n++;
      tail = (tail + len) % this.cap;
    }
    Atomics.store(this.hdr, TAIL, tail);
    Atomics.notify(this.hdr, TAIL);
    return n;
  }

  /**
   * Hands every record published so far to `sink` as raw bytes, without decoding them: one call
   * per contiguous run (two when the records wrap), each a view of the ring that is valid only
   * during the call (copy it). Returns how many records were passed on.
   */
  drainRaw(sink: (bytes: Uint8Array, start: number, end: number) => void): number {
    const head = Atomics.load(this.hdr, HEAD);
    let tail = Atomics.load(this.hdr, TAIL);
    let start = tail;
    let n = 0;
    while (tail !== head) {
      const len = this.view.getInt32(tail, true);
      if (len === WRAP) {
        if (tail > start) sink(this.bytes, start, tail);
        tail = 0;
        start = 0;
        continue;
      }
      n++;
      tail += len;
      if (tail === this.cap) {
        sink(this.bytes, start, tail);
        tail = 0;
        start = 0;
      }
    }
    if (tail > start) sink(this.bytes, start, tail);
    Atomics.store(this.hdr, TAIL, tail);
    Atomics.notify(this.hdr, TAIL);
    return n;
  }
}
