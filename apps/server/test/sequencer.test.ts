import type { TraceEvent, TraceEventDraft } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { EventRing } from '../src/live/event-ring';
import { Sequencer } from '../src/runs/sequencer';

const mark = (t: number, loop = 0): TraceEventDraft => ({ kind: 'mark', t, loop, text: String(t) });

describe('Sequencer', () => {
  it('numbers events in time order across sources and never lets time go back', async () => {
    const out: TraceEvent[] = [];
    let clock = 0;
    const seq = new Sequencer(
      (evs) => out.push(...evs),
      30,
      () => clock,
    );
    seq.push([mark(10), mark(30)]);
    seq.push([mark(20, -1)]);
    clock = 100;
    await new Promise((r) => setTimeout(r, 30));
    seq.push([mark(5, 1)]);
    seq.drain();
    expect(out.map((e) => [e.seq, e.t])).toEqual([
      [0, 10],
      [1, 20],
      [2, 30],
      [3, 30],
    ]);
    expect(seq.clamped).toBe(1);
    const end = seq.append({ kind: 'end', t: seq.lastTime, loop: -1, events: seq.count });
    expect(end.seq).toBe(4);
  });
});

describe('EventRing', () => {
  it('keeps the newest events and counts what it pushed out', () => {
    const ring = new EventRing(3);
    for (let i = 0; i < 5; i++) ring.push({ ...mark(i), seq: i } as TraceEvent);
    expect(ring.dropped).toBe(2);
    expect(ring.firstSeq).toBe(2);
    expect(ring.since(3).map((e) => e.seq)).toEqual([3, 4]);
    expect(ring.take(2).map((e) => e.seq)).toEqual([2, 3]);
    expect(ring.size).toBe(1);
    ring.clear();
    expect(ring.size + ring.dropped).toBe(0);
  });
});
