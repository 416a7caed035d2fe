/**
 * Decoding and counting a recording in parts (as threads do in parallel): the second part is a
 * continuation (no header, any first seq), and a revived accumulator goes on where the first
 * stopped. Together they give what one pass gives.
 */
import { describe, expect, it } from 'vitest';
import {
  computeStats,
  decodeRecording,
  EventOrderChecker,
  RecordingDecoder,
  StatsAccumulator,
  type TraceDecodeError,
  type TraceEvent,
} from '../src/index';
import { FIXTURE } from './helpers';

const whole = decodeRecording(FIXTURE);
const lines = FIXTURE.split('\n').filter((l) => l.length > 0);

function decodePart(
  text: string,
  afterLine: number,
): { events: TraceEvent[]; error: TraceDecodeError | null } {
  const events: TraceEvent[] = [];
  const dec = new RecordingDecoder({
    tolerant: true,
    continues: { afterLine },
    onEvents: (b) => events.push(...b),
    onHeader: () => {
      throw new Error('a continuation has no header');
    },
  });
  dec.push(text);
  return { events, error: dec.end() };
}

describe('a recording decoded in two parts', () => {
  it('the parts together equal the whole, at every cut', () => {
    for (let cut = 2; cut < lines.length; cut++) {
      const head = decodeRecording(`${lines.slice(0, cut).join('\n')}\n`);
      const tail = decodePart(`${lines.slice(cut).join('\n')}\n`, cut);
      expect(head.error).toBeNull();
      expect(tail.error).toBeNull();
      expect([...head.events, ...tail.events]).toEqual(whole.events);
    }
  });

  it('a continuation numbers its lines after the part before it and checks its own order', () => {
    const rest = lines.slice(10);
    const swapped = [rest[0], rest[2], rest[1], ...rest.slice(3)];
    const { events, error } = decodePart(`${swapped.join('\n')}\n`, 10);
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ code: 'bad-order', line: 12, field: 'seq' });
    // Its first line is an event like any other: a header there is an unknown kind.
    expect(decodePart(`${lines[0]}\n`, 0).error?.code).not.toBe('bad-header');
  });

  it('the order checker of a part takes its first event as the start', () => {
    const c = new EventOrderChecker('any');
    c.check(whole.events[5]!, 7);
    c.check(whole.events[6]!, 8);
    expect(() => c.check(whole.events[8]!, 9)).toThrow(/seq/);
    expect(() => new EventOrderChecker().check(whole.events[5]!, 7)).toThrow(/expected 0, got 5/);
  });
});

describe('a revived accumulator', () => {
  it('goes on from a structured clone where the original was', () => {
    const all = computeStats(whole.header, whole.events);
    for (const cut of [0, 1, 17, whole.events.length - 1, whole.events.length]) {
      const a = new StatsAccumulator(whole.header);
      for (const e of whole.events.slice(0, cut)) a.add(e);
      const b = StatsAccumulator.revive(structuredClone(a));
      for (const e of whole.events.slice(cut)) b.add(e);
      expect(b.result()).toEqual(all);
    }
  });
});
