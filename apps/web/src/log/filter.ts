/**
 * Event log filters, applied incrementally to the buffer (a live trace keeps growing). They read
 * the buffer's columns (loop, fd, log groups), never event objects: filtering a replayed
 * recording of millions of events parses none of them.
 */
import { ACCEPT } from '../model/columns';
import { groupBit } from '../model/event-groups';
import type { TraceBuffer } from '../model/trace-buffer';

export { GROUPS } from '../model/event-groups';

export interface LogFilter {
  group: string;
  loop: string;
  fd: string;
}

export function filterKey(f: LogFilter): string {
  return `${f.group}|${f.loop}|${f.fd}`;
}

export function isEmptyFilter(f: LogFilter): boolean {
  return f.group === 'all' && f.loop === '' && f.fd.trim() === '';
}

/** A predicate over event indexes of a buffer, or null when the filter lets every event through. */
export function matcher(f: LogFilter): ((b: TraceBuffer, i: number) => boolean) | null {
  if (isEmptyFilter(f)) return null;
  const bit = groupBit(f.group) || groupBit('all');
  const loop = f.loop === '' ? null : Number(f.loop);
  const fd = f.fd.trim() === '' ? null : Number(f.fd);
  return (b, i) => {
    if (loop !== null && b.loopOf.data[i] !== loop) return false;
    if (fd !== null && b.fds.data[i] !== fd && !(b.kinds.data[i] === ACCEPT && b.aux.data[i] === fd))
      return false;
    return (b.groups.data[i]! & bit) !== 0;
  };
}

/** Indices of matching events, grown as the buffer grows. */
export class FilteredIndex {
  indices = new Int32Array(1024);
  length = 0;
  scanned = 0;

  /** `test` null: every event matches, and row `r` is event `r`. */
  constructor(
    readonly key: string,
    private readonly test: ((b: TraceBuffer, i: number) => boolean) | null,
  ) {}

  update(buffer: TraceBuffer, total: number): void {
    const test = this.test;
    if (!test) {
      this.length = total;
      this.scanned = total;
      return;
    }
    for (let i = this.scanned; i < total; i++) {
      if (!test(buffer, i)) continue;
      if (this.length === this.indices.length) {
        const next = new Int32Array(this.indices.length * 2);
        next.set(this.indices);
        this.indices = next;
      }
      this.indices[this.length++] = i;
    }
    this.scanned = total;
  }

  /** The event index of row `r`. */
  at(r: number): number {
    return this.test ? this.indices[r]! : r;
  }

  /** Row of the last matching event at or before event index `i` (-1 if none). */
  rowAtOrBefore(i: number): number {
    if (!this.test) return Math.min(i, this.length - 1);
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.indices[mid]! <= i) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}
