/** A FIFO of bytes kept as chunks: socket buffers of the simulated kernel. */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  /** Index of the first live chunk. */
  private first = 0;
  /** Offset of the first unread byte in the first live chunk. */
  private head = 0;
  /** Bytes queued. */
  length = 0;

  /** Appends a copy of `b`. */
  push(b: Uint8Array): void {
    if (b.length === 0) return;
    this.chunks.push(b.slice());
    this.length += b.length;
  }

  /** Removes up to `max` bytes into `dst` at `off`; returns how many. */
  takeInto(dst: Uint8Array, off: number, max: number): number {
    let done = 0;
    while (done < max && this.first < this.chunks.length) {
      const c = this.chunks[this.first]!;
      const n = Math.min(max - done, c.length - this.head);
      dst.set(c.subarray(this.head, this.head + n), off + done);
      done += n;
      this.head += n;
      if (this.head === c.length) {
        this.first++;
        this.head = 0;
      }
    }
    this.length -= done;
    this.compact();
    return done;
  }

  /** Removes up to `max` bytes and returns them. */
  take(max: number): Uint8Array {
    const out = new Uint8Array(Math.min(max, this.length));
    this.takeInto(out, 0, out.length);
    return out;
  }

  /** Drops everything; returns the bytes dropped. */
  clear(): number {
    const n = this.length;
    this.chunks = [];
    this.first = 0;
    this.head = 0;
    this.length = 0;
    return n;
  }

  private compact(): void {
    // Drop consumed chunks in bulk so that a long stream stays O(1) per byte.
    if (this.first > 32 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}
