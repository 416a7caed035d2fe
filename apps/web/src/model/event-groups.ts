/**
 * The event log's groups: which events each filter of the log shows. Evaluated once per event
 * when it is added to the trace (as the `groups` column of `TraceBuffer`), so that filtering
 * reads bits instead of event objects.
 */
import type { TraceEvent } from '@loopscope/trace';

export interface EventGroup {
  id: string;
  label: string;
  test: (e: TraceEvent) => boolean;
}

export const GROUPS: readonly EventGroup[] = [
  { id: 'all', label: 'all events', test: () => true },
  {
    id: 'loop',
    label: 'waits & wake-ups',
    test: (e) => e.kind === 'wait-return' || e.kind === 'notes' || e.kind === 'eventfd',
  },
  {
    id: 'accept',
    label: 'accept races',
    test: (e) =>
      e.kind === 'accept' || e.kind === 'opened' || e.kind === 'listener' || e.kind === 'herd-wakeups',
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

/** The bit of the group `id` (0 for an unknown group). */
export function groupBit(id: string): number {
  const i = GROUPS.findIndex((g) => g.id === id);
  return i < 0 ? 0 : 1 << i;
}

const ALL = groupBit('all');
const EAGAIN = GROUPS.find((g) => g.id === 'eagain')!;
const EAGAIN_BIT = groupBit('eagain');
const LOST = GROUPS.find((g) => g.id === 'lost')!;
const LOST_BIT = groupBit('lost');
/** Groups that look at more than the kind: evaluated for every event. */
const BY_FIELDS = EAGAIN_BIT | LOST_BIT;
/** The other groups an event is in, by kind (they test the kind only). */
const BY_KIND = new Map<string, number>();

/** Bit `i` set when `GROUPS[i]` shows the event (16 groups at most). Runs for every event. */
export function groupBits(e: TraceEvent): number {
  let bits = BY_KIND.get(e.kind);
  if (bits === undefined) {
    bits = 0;
    for (let i = 0; i < GROUPS.length; i++) if (GROUPS[i]!.test(e)) bits |= 1 << i;
    bits &= ~BY_FIELDS;
    BY_KIND.set(e.kind, bits);
  }
  if (EAGAIN.test(e)) bits |= EAGAIN_BIT;
  if (LOST.test(e)) bits |= LOST_BIT;
  return bits | ALL;
}
