/**
 * A connection's pending output with evio's slice semantics: a page that is truncated and
 * reused by the read path, sliced forward by partial writes, and dropped once a fully written
 * page grew past 4096 bytes (evio's "4096 rule").
 */
const EMPTY = new Uint8Array(0);
/** evio keeps an output page of at most this capacity for reuse. */
export const OUT_PAGE_KEEP = 4096;

export class OutBuffer {
  private data: Uint8Array = EMPTY;
  private start = 0;
  private end = 0;

  /** Bytes still to write. */
  get pending(): number {
    return this.end - this.start;
  }

  /** The buffer and the range still to write, for `write(fd, buf, off, len)`. */
  get bytes(): Uint8Array {
    return this.data;
  }
  get offset(): number {
    return this.start;
  }

  /** evio's loopOpened/loopWake: `out = append([]byte{}, b...)`. Returns the bytes dropped. */
  replace(b: Uint8Array): number {
    const lost = this.pending;
    this.data = b.slice();
    this.start = 0;
    this.end = b.length;
    return lost;
  }

  /** evio's loopRead: `out = append(out[:0], b...)`, reusing the page when it is big enough. */
  truncateCopy(b: Uint8Array): number {
    const lost = this.pending;
    if (this.data.length - this.start >= b.length) {
      this.data.set(b, this.start);
      this.end = this.start + b.length;
    } else {
      this.data = b.slice();
      this.start = 0;
      this.end = b.length;
    }
    return lost;
  }

  /** Appends, keeping what is pending (the fixed variants). */
  append(b: Uint8Array): void {
    if (this.pending === 0) {
      this.truncateCopy(b);
      return;
    }
    if (this.data.length - this.end >= b.length) {
      this.data.set(b, this.end);
      this.end += b.length;
      return;
    }
    const next = new Uint8Array(Math.max(this.pending + b.length, this.pending * 2));
    next.set(this.data.subarray(this.start, this.end), 0);
    next.set(b, this.pending);
    this.end = this.pending + b.length;
    this.start = 0;
    this.data = next;
  }

  /**
   * `n` bytes were written. A partial write is evio's `out = out[n:]`; a full write is its
   * 4096 rule: `out = nil` when `cap(out) > 4096`, else `out = out[:0]`, which keeps the page
   * from where this write began, so the next reply is copied into it without an allocation.
   */
  consume(n: number): void {
    if (this.start + n < this.end) {
      this.start += n;
      return;
    }
    if (this.data.length - this.start > OUT_PAGE_KEEP) {
      this.data = EMPTY;
      this.start = 0;
    }
    this.end = this.start;
  }

  /** Drops everything (the conn is closing). Returns the bytes dropped. */
  clear(): number {
    const lost = this.pending;
    this.data = EMPTY;
    this.start = 0;
    this.end = 0;
    return lost;
  }
}
