/** Event log filters, applied incrementally to the buffer (a live trace keeps growing). */
import type { TraceEvent } from '@loopscope/trace';

export interface LogFilter {
  group: string;
  loop: string;
  fd: string;
}

export const GROUPS: { id: string; label: string; test: (e: TraceEvent) => boolean }[] = [
  { id: 'all', label: 'all events', test: () => true },
  {
    id: 'loop',
    label: 'waits & wake-ups',
    test: (e) => e.kind === 'wait-return' || e.kind === 'notes' || e.kind === 'eventfd',
  },
  {
    id: 'accept',
    label: 'accept races',
    test: (e) => e.kind === 'accept' || e.kind === 'opened' || e.kind === 'listener',
  },
  {
    id: 'io',
    label: 'reads & writes',
    test: (e) => e.kind === 'read' || e.kind === 'write' || e.kind === 'out',
  },
  {
    id: 'eagain',
    label: 'EAGAIN',
    test: (e) =>
      (e.kind === 'write' && e.result === 'eagain') ||
      (e.kind === 'read' && e.result === 'eagain') ||
      (e.kind === 'accept' && e.outcome === 'eagain'),
  },
  { id: 'ctl', label: 'epoll_ctl', test: (e) => e.kind === 'ctl' },
  { id: 'handler', label: 'handlers', test: (e) => e.kind === 'handler' },
  {
    id: 'lost',
    label: 'lost bytes & faults',
    test: (e) =>
      e.kind === 'overwrite' ||
      e.kind === 'fault' ||
      (e.kind === 'close' && e.discarded > 0) ||
      (e.kind === 'client-verify' && e.mismatches > 0),
  },
  { id: 'client', label: 'clients', test: (e) => e.kind.startsWith('client-') },
  { id: 'mark', label: 'marks', test: (e) => e.kind === 'mark' },
];

export function filterKey(f: LogFilter): string {
  return `${f.group}|${f.loop}|${f.fd}`;
}

export function isEmptyFilter(f: LogFilter): boolean {
  return f.group === 'all' && f.loop === '' && f.fd.trim() === '';
}

/** A predicate for the filter. */
export function matcher(f: LogFilter): (e: TraceEvent) => boolean {
  const group = GROUPS.find((g) => g.id === f.group)?.test ?? (() => true);
  const loop = f.loop === '' ? null : Number(f.loop);
  const fd = f.fd.trim() === '' ? null : Number(f.fd);
  return (e) => {
    if (loop !== null && e.loop !== loop) return false;
    if (fd !== null && !(('fd' in e && e.fd === fd) || (e.kind === 'accept' && e.listenerFd === fd)))
      return false;
    return group(e);
  };
}

/** Indices of matching events, grown as the buffer grows. */
export class FilteredIndex {
  indices = new Int32Array(1024);
  length = 0;
  scanned = 0;

  constructor(
    readonly key: string,
    private readonly test: (e: TraceEvent) => boolean,
  ) {}

  update(events: readonly TraceEvent[], total: number): void {
    for (let i = this.scanned; i < total; i++) {
      if (!this.test(events[i]!)) continue;
      if (this.length === this.indices.length) {
        const next = new Int32Array(this.indices.length * 2);
        next.set(this.indices);
        this.indices = next;
      }
      this.indices[this.length++] = i;
    }
    this.scanned = total;
  }

  /** Row of the last matching event at or before event index `i` (-1 if none). */
  rowAtOrBefore(i: number): number {
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
