/**
 * A bounded FIFO of events with seq numbers in a row. When full, the oldest event makes room
 * (a live view wants what is happening now); `dropped` counts what was pushed out.
 */
import type { TraceEvent } from '@loopscope/trace';

export class EventRing {
  private readonly buf: (TraceEvent | undefined)[];
  private head = 0;
  private count = 0;
  /** Events pushed out because the ring was full, since the last `clear`. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be >= 1');
    this.buf = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** seq of the oldest event held, or null when empty. */
  get firstSeq(): number | null {
    return this.count === 0 ? null : this.buf[this.head]!.seq;
  }

  /** Appends an event, pushing out the oldest one when full. */
  push(ev: TraceEvent): void {
    const tail = (this.head + this.count) % this.capacity;
    this.buf[tail] = ev;
    if (this.count < this.capacity) {
      this.count++;
    } else {
      this.head = (this.head + 1) % this.capacity;
      this.dropped++;
    }
  }

  /** Removes and returns up to `max` of the oldest events. */
  take(max: number): TraceEvent[] {
    const n = Math.min(max, this.count);
    const out: TraceEvent[] = new Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.buf[this.head]!;
      this.buf[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.count -= n;
    return out;
  }

  /** The events with seq >= `from`, oldest first, without removing them. */
  since(from: number): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (let i = 0; i < this.count; i++) {
      const ev = this.buf[(this.head + i) % this.capacity]!;
      if (ev.seq >= from) out.push(ev);
    }
    return out;
  }

  /** Empties the ring and resets `dropped`. */
  clear(): void {
    this.buf.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.dropped = 0;
  }
}
