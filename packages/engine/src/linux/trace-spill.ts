/**
 * Recording without decoding during the run: each loop's ring records are copied, still binary
 * (`trace-codec.ts`), into a spill file of their own; once the loops have stopped, the files are
 * decoded and merged by time with the main thread's events into the one numbered stream.
 *
 * Decoding, merging and serialising every event while the loops run costs the main thread about
 * as much CPU as the loop that produced the events, and on a machine with few cores that CPU is
 * taken from the loops and their clients. A spill costs a copy per drain instead. The price is
 * paid after the run (about a microsecond per event) and nobody sees the events live, so it suits
 * recordings that nobody watches while they are made (`loopscope echo --record`).
 *
 * A spill file is a plain concatenation of ring records (each starts with its int32 length, a
 * multiple of 8). Files live in a private directory made under the one given and are removed
 * when the merge ends, whether it succeeds or fails.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceEvent, TraceEventDraft } from '@loopscope/trace';
import { decodeRecord } from './trace-codec';

const WRITE_BUFFER = 1 << 20;
const READ_BLOCK = 4 << 20;
/** Events handed over per delivery when a spill is merged. */
export const SPILL_BATCH = 8192;

/** The spill file of one loop: buffered appends of raw ring records. */
export class SpillFile {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(WRITE_BUFFER);
  private used = 0;
  /** Records appended so far. */
  records = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w+', 0o600);
  }

  /** Copies `src[start, end)` (whole records) into the file. */
  append(src: Uint8Array, start: number, end: number): void {
    while (start < end) {
      if (this.used === this.buf.length) this.flush();
      const n = Math.min(end - start, this.buf.length - this.used);
      this.buf.set(src.subarray(start, start + n), this.used);
      this.used += n;
      start += n;
    }
  }

  /** Writes what is buffered. */
  flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.buf, off, this.used - off);
    this.used = 0;
  }

  /** Flushes and closes the file (it stays on disk for reading). */
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Reads a spill file back, one decoded record at a time, in file order. */
export class SpillReader {
  private readonly fd: number;
  private block = new Uint8Array(READ_BLOCK);
  private view = new DataView(this.block.buffer);
  private at = 0;
  private filled = 0;
  private eof = false;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
  }

  /** The next record, or null at the end of the file. */
  next(): TraceEventDraft | null {
    if (!this.ensure(4)) {
      if (this.filled > this.at) throw new Error('trace spill: file ends inside a record');
      return null;
    }
    const len = this.view.getInt32(this.at, true);
    if (len < 16 || len % 8 !== 0) throw new Error(`trace spill: corrupt record length ${len}`);
    if (!this.ensure(len)) throw new Error('trace spill: file ends inside a record');
    const ev = decodeRecord(this.view, this.block, this.at);
    this.at += len;
    return ev;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Makes `n` bytes available from `at`; false when the file ends first. */
  private ensure(n: number): boolean {
    while (this.filled - this.at < n) {
      if (this.eof) return false;
      this.refill(n);
    }
    return true;
  }

  /** Moves the unread bytes to the front (growing the block for a larger record) and reads on. */
  private refill(n: number): void {
    const rest = this.block.subarray(this.at, this.filled);
    if (n > this.block.length) {
      const bigger = new Uint8Array(Math.max(n, this.block.length * 2));
      bigger.set(rest);
      this.block = bigger;
      this.view = new DataView(bigger.buffer);
    } else {
      this.block.copyWithin(0, this.at, this.filled);
    }
    this.filled = rest.length;
    this.at = 0;
    while (this.filled < this.block.length) {
      const got = readSync(this.fd, this.block, this.filled, this.block.length - this.filled, null);
      if (got === 0) {
        this.eof = true;
        return;
      }
      this.filled += got;
    }
  }
}

/** A private directory for one server's spill files. */
export function makeSpillDir(parent: string): string {
  return mkdtempSync(join(parent, '.loopscope-spill-'));
}

/** Removes a spill directory and everything in it. */
export function removeSpillDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

interface Head {
  ev: TraceEventDraft;
  /** Ties on time go to the lower source, as the live merger's stable sort does. */
  src: number;
  next: () => TraceEventDraft | null;
}

/**
 * Merges sources that are each in time order (spill readers, then the main thread's own
 * events) into one stream, numbers it from `firstSeq`, and hands it over in batches; a
 * delivery that returns a promise is awaited before the next batch. Returns the count.
 */
export async function mergeSources(
  sources: (() => TraceEventDraft | null)[],
  firstSeq: number,
  deliver: (events: TraceEvent[]) => unknown,
): Promise<number> {
  // A binary min-heap on (t, source).
  const heap: Head[] = [];
  const less = (a: Head, b: Head): boolean => a.ev.t < b.ev.t || (a.ev.t === b.ev.t && a.src < b.src);
  const push = (h: Head): void => {
    heap.push(h);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const siftDown = (): void => {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  sources.forEach((next, src) => {
    const ev = next();
    if (ev) push({ ev, src, next });
  });
  let seq = firstSeq;
  let batch: TraceEvent[] = [];
  while (heap.length > 0) {
    const top = heap[0]!;
    const ev = top.ev as TraceEvent;
    ev.seq = seq++;
    batch.push(ev);
    const following = top.next();
    if (following) {
      top.ev = following;
      siftDown();
    } else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown();
      }
    }
    if (batch.length === SPILL_BATCH) {
      const wait = deliver(batch);
      batch = [];
      // Let I/O and timers run between batches even when the delivery is synchronous.
      await (wait instanceof Promise ? wait : new Promise<void>((resolve) => setImmediate(resolve)));
    }
  }
  if (batch.length > 0) await deliver(batch);
  return seq - firstSeq;
}
