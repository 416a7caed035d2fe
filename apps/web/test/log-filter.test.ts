/**
 * The event log's filters read the buffer's columns: they pick exactly the events that the
 * filter's definition (group test, loop, fd or listener fd) picks from the event objects.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeRecording, type TraceEvent } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { FilteredIndex, filterKey, GROUPS, type LogFilter, matcher } from '../src/log/filter';
import { TraceBuffer } from '../src/model/trace-buffer';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const FILES = [
  'e2e/fixtures/real-herd-3-loops-round-robin.ndjson',
  'e2e/fixtures/sim-slow-reader-64k.ndjson',
];

/** The filter as defined on event objects. */
function picks(f: LogFilter, e: TraceEvent): boolean {
  const group = GROUPS.find((g) => g.id === f.group)!.test;
  if (f.loop !== '' && e.loop !== Number(f.loop)) return false;
  const fd = f.fd === '' ? null : Number(f.fd);
  if (fd !== null && !(('fd' in e && e.fd === fd) || (e.kind === 'accept' && e.listenerFd === fd)))
    return false;
  return group(e);
}

describe('log filters over columns', () => {
  it.each(FILES)('pick what the definition picks (%s)', (file) => {
    const { header, events } = decodeRecording(readFileSync(resolve(root, file), 'utf8'));
    const buffer = new TraceBuffer(header);
    buffer.append(events);
    const fds = [...new Set(events.flatMap((e) => ('fd' in e && typeof e.fd === 'number' ? [e.fd] : [])))];
    let nonEmpty = 0;
    for (const g of GROUPS)
      for (const loop of ['', '0', '1', '-1'])
        for (const fd of ['', ...fds.map(String)]) {
          const f = { group: g.id, loop, fd };
          const index = new FilteredIndex(filterKey(f), matcher(f));
          // Grown in two steps, as a live trace grows.
          index.update(buffer, Math.floor(events.length / 3));
          index.update(buffer, events.length);
          const rows = Array.from({ length: index.length }, (_, r) => index.at(r));
          const want = events.flatMap((e, i) => (picks(f, e) ? [i] : []));
          expect(rows, filterKey(f)).toEqual(want);
          if (want.length > 0) nonEmpty++;
          // The selected row at every position: the last picked event at or before it.
          for (const i of [0, 5, events.length - 1])
            expect(index.rowAtOrBefore(i)).toBe(want.filter((k) => k <= i).length - 1);
        }
    expect(nonEmpty).toBeGreaterThan(20);
  });
});
