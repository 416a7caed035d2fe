/**
 * The lossless trace channel from one loop thread to the main thread: a single-producer,
 * single-consumer ring of binary records (`trace-codec.ts`) in a SharedArrayBuffer.
 *
 * Layout: a 64-byte header of int32 slots (`HEAD` write position, `TAIL` read position, `STALLS`
 * how often the writer had to wait), then `capacity` bytes of records. Positions are byte offsets
 * in [0, capacity); head == tail means empty, and 8 bytes always stay free so a full ring is never
 * mistaken for an empty one. A record that would cross the end is preceded by a wrap marker
 * (length -1) and written at 0.
 * The writer encodes each event as it comes: the kinds of every request (`HotTracer`: read,
 * handler, out, ctl, write) straight from the loop's positional call, with a few typed-array
 * stores and no event object, the other kinds from their object. It publishes with
 * `Atomics.store(HEAD)` before the loop blocks (`wait-enter`), when it stops (`loop-stop`), on
 * `flush()`, and every 512 records, so a busy loop is seen at least every few hundred records:
 * not per record, as a sequentially consistent store per event was a visible share of the
 * tracer's cost. (An earlier writer queued the event objects and encoded them in one pass before
 * the loop blocked; writing the request's kinds without an object costs less: no allocation and
 * no write barrier between two syscalls, see `bench/README.md`.) Before it waits for room, the writer
 * publishes what it has encoded. The reader frees space with `Atomics.store(TAIL)` and `Atomics.notify`.
 * When the ring is full the writer waits (`Atomics.wait` on TAIL, 2 ms at a time) until the
 * reader drains: never a dropped record.
 */
import type { TraceEventDraft } from '@loopscope/trace';
import type { DistributiveDraft, HotTracer, Tracer } from '../core/loop-types';
import { decodeRecord, encodeHot, encodeRecord, type RecordTarget } from './trace-codec';

const HEADER_BYTES = 64;
const HEAD = 0;
const TAIL = 1;
const STALLS = 2;
const WRAP = -1;
const GAP = 8;

/** Records after which the writer publishes even if the loop has not blocked yet. */
const PUBLISH_EVERY = 512;

/** Default ring size per loop: 4 MiB, about 60,000 records. */
export const DEFAULT_RING_BYTES = 4 * 1024 * 1024;

/** Allocates a ring of `capacity` bytes (rounded up to a multiple of 8). */
export function createRing(capacity = DEFAULT_RING_BYTES): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + ((Math.max(capacity, 1024) + 7) & ~7));
}

class RingView {
  protected readonly hdr: Int32Array;
  protected readonly view: DataView;
  readonly bytes: Uint8Array;
  readonly cap: number;

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

/** The loop thread's side: a `Tracer` that encodes every event into the ring as it comes. */
export class RingWriter extends RingView implements Tracer, RecordTarget {
  readonly enabled = true;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly maxRecord: number;
  head: number;
  /** Free bytes known without reading the reader's position (it only ever grows). */
  room = 0;
  /** Records written since the last publish. */
  private unpublished = 0;

  constructor(sab: SharedArrayBuffer) {
    super(sab);
    this.i32 = new Int32Array(sab, HEADER_BYTES, this.cap >> 2);
    this.f64 = new Float64Array(sab, HEADER_BYTES, this.cap >> 3);
    this.maxRecord = (this.cap >> 1) - 16;
    this.head = Atomics.load(this.hdr, HEAD);
  }

  emit(
    ev: TraceEventDraft | DistributiveDraft,
    t = (ev as TraceEventDraft).t,
    loop = (ev as TraceEventDraft).loop,
  ): void {
    if (encodeRecord(this, ev, t, loop) < 0) throw new Error(`trace ring: unknown event kind "${ev.kind}"`);
    if (ev.kind === 'wait-enter' || ev.kind === 'loop-stop') this.flush();
    else this.wrote();
  }

  ctl: HotTracer['ctl'] = (t, loop, epfd, op, fd, gen, old, mask, errno) => {
    encodeHot.ctl(this, t, loop, epfd, op, fd, gen, old, mask, errno);
    this.wrote();
  };
  read: HotTracer['read'] = (t, loop, fd, gen, sys, max, bytes, result, errno) => {
    encodeHot.read(this, t, loop, fd, gen, sys, max, bytes, result, errno);
    this.wrote();
  };
  handler: HotTracer['handler'] = (t, loop, handler, fd, gen, durNs, inBytes, outBytes, action) => {
    encodeHot.handler(this, t, loop, handler, fd, gen, durNs, inBytes, outBytes, action);
    this.wrote();
  };
  write: HotTracer['write'] = (t, loop, fd, gen, sys, asked, written, result, errno) => {
    encodeHot.write(this, t, loop, fd, gen, sys, asked, written, result, errno);
    this.wrote();
  };
  out: HotTracer['out'] = (t, loop, fd, gen, pending, cause) => {
    encodeHot.out(this, t, loop, fd, gen, pending, cause);
    this.wrote();
  };

  /** Makes every record written so far visible to the reader. */
  flush(): void {
    this.unpublished = 0;
    Atomics.store(this.hdr, HEAD, this.head);
  }

  private wrote(): void {
    if (++this.unpublished === PUBLISH_EVERY) this.flush();
  }

  reserve(need: number): number {
    if (need > this.maxRecord) throw new Error(`trace record of ${need} bytes exceeds the ring`);
    const toEnd = this.cap - this.head;
    // Space needed: the record, plus the skipped tail of the ring when it must wrap.
    const total = need > toEnd ? toEnd + need : need;
    if (total > this.room) this.waitFor(total);
    if (need > toEnd) {
      this.i32[this.head >> 2] = WRAP;
      this.room -= toEnd;
      this.head = 0;
    }
    return this.head;
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
