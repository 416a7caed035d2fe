/** The importer holds back a bounded number of events, and streams any chunking the same way. */
import { describe, expect, it } from 'vitest';
import { StraceImporter } from '../../src/strace/index';
import { acceptOutcomes, importFixture, ofKind, readStraceFixture } from './helpers';

describe('bounded holds', () => {
  it('still gives a valid recording when holds are forced early', () => {
    const r = importFixture('evio-herd-4loops-roundrobin.strace', { maxHeldEvents: 2 });
    expect(r.summary.forcedHolds).toBeGreaterThan(0);
    expect(r.header.loops).toBe(4);
    const out = acceptOutcomes(r.events);
    expect(out.won).toBe(20);
    expect(out.eagain).toBe(38);
    expect(ofKind(r.events, 'wait-return').length).toBe(2033);
  });

  it('never holds more than the limit between two pushes (nginx: listener candidates, long waits)', () => {
    const text = readStraceFixture('nginx-static.strace');
    const imp = new StraceImporter({ maxHeldEvents: 1000 });
    let released = 0;
    let most = 0;
    for (const line of text.split('\n')) {
      released += imp.pushLine(line).length;
      most = Math.max(most, imp.heldEvents);
    }
    expect(most).toBeLessThanOrEqual(1000);
    const r = imp.finish();
    expect(released + r.events.length).toBe(r.summary.events);
    expect(r.summary.loops).toBe(2);
  });

  it('gives the same recording for any chunk size', () => {
    const text = readStraceFixture('evio-herd-4loops-random.strace');
    const run = (size: number) => {
      const imp = new StraceImporter({ created: 'x' });
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...imp.push(text.slice(i, i + size)));
      events.push(...imp.finish().events);
      return events;
    };
    expect(run(977)).toEqual(run(1 << 20));
  });
});
