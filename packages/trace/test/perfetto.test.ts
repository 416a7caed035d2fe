import { describe, expect, it } from 'vitest';
import { type ChromeTraceEvent, createPerfettoExporter, decodeRecording, toPerfettoJson } from '../src/index';
import { FIXTURE } from './helpers';

const { header, events } = decodeRecording(FIXTURE);

function exported(): ChromeTraceEvent[] {
  const doc = JSON.parse(toPerfettoJson(header, events)) as {
    traceEvents: ChromeTraceEvent[];
    displayTimeUnit: string;
  };
  expect(doc.displayTimeUnit).toBe('ns');
  return doc.traceEvents;
}

describe('Perfetto export', () => {
  it('is JSON with ph, ts, pid and tid on every event', () => {
    const evs = exported();
    expect(evs.length).toBeGreaterThan(events.length);
    for (const e of evs) {
      expect(typeof e.ph).toBe('string');
      expect(Number.isFinite(e.ts)).toBe(true);
      expect(e.pid).toBe(1);
      expect(Number.isInteger(e.tid)).toBe(true);
    }
  });

  it('names the process and the loop and client tracks', () => {
    const meta = exported().filter((e) => e.ph === 'M');
    expect(meta.find((e) => e.name === 'process_name')?.args?.name).toBe('loopscope echo mode=evio loops=1');
    const threads = meta.filter((e) => e.name === 'thread_name').map((e) => [e.tid, e.args?.name]);
    expect(threads).toEqual(
      expect.arrayContaining([
        [1, 'loop 0'],
        [0, 'server'],
        [1_000_000, 'client 0'],
      ]),
    );
  });

  it('draws epoll_wait as complete slices from wait-enter to wait-return, in microseconds', () => {
    const waits = exported().filter((e) => e.name === 'epoll_wait');
    // 7 returns plus the final wait still blocked when the recording ended.
    expect(waits).toHaveLength(8);
    const first = waits[0]!;
    expect(first).toMatchObject({ ph: 'X', tid: 1, ts: 4, dur: 906 });
    expect(first.args).toMatchObject({ n: 1, ready: '7:IN', blockedNs: 906000, timeoutMs: 100 });
    expect(waits.at(-1)?.args).toMatchObject({ unfinished: true });
  });

  it('has handler slices, instants, counters and a connection async slice', () => {
    const evs = exported();
    const data = evs.filter((e) => e.name === 'handler data');
    expect(data).toHaveLength(2);
    expect(data[0]).toMatchObject({ ph: 'X', ts: 1527, dur: 3 });
    expect(evs.filter((e) => e.ph === 'i' && e.name === 'epoll_ctl MOD IN')).toHaveLength(3);
    expect(evs.filter((e) => e.ph === 'i' && e.name === 'accept won')).toHaveLength(1);
    const pending = evs
      .filter((e) => e.ph === 'C' && e.name === 'loop 0 pending output')
      .map((e) => e.args?.bytes);
    expect(pending).toEqual([7, 0, 7, 0]);
    const conn = evs.filter((e) => e.cat === 'conn');
    expect(conn.map((e) => [e.ph, e.id, e.ts])).toEqual([
      ['b', '10:0', 920],
      ['e', '10:0', 3030],
    ]);
  });

  it('streams: the pushed chunks concatenate to the same document', () => {
    const ex = createPerfettoExporter(header);
    let text = '';
    for (const ev of events) text += ex.push(ev);
    text += ex.finish();
    expect(text).toBe(toPerfettoJson(header, events));
    expect(JSON.parse(toPerfettoJson(null, [])).traceEvents).toHaveLength(1);
  });
});
