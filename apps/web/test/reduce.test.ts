import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimRun } from '@loopscope/engine';
import { decodeRecording, EV, type TraceEvent } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { Cursor, SNAPSHOT_EVERY } from '../src/model/cursor';
import { cloneModel, emptyModel, findConn } from '../src/model/model';
import { applyEvent, reduce } from '../src/model/reduce';
import { TraceBuffer } from '../src/model/trace-buffer';
import type { Model } from '../src/model/types';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = readFileSync(resolve(here, '../../../packages/trace/test/fixtures/evio-echo.ndjson'), 'utf8');
const echo = decodeRecording(fixture);

function reduceAll(events: readonly TraceEvent[], loops = 0): Model {
  const m = emptyModel(loops);
  for (const e of events) applyEvent(m, e);
  return m;
}

function simEvents(
  scenario: string,
  loops: number,
  balance: 'random' | 'round-robin',
  mode = 'evio',
  params: Record<string, number> = {},
): TraceEvent[] {
  const run = createSimRun({ scenario, mode: mode as 'evio', loops, balance, seed: 7, params });
  const out: TraceEvent[] = [];
  while (!run.done && out.length < 200_000) out.push(...run.advance(10_000));
  return out;
}

describe('reduce on the evio echo fixture', () => {
  const m = reduceAll(echo.events, echo.header!.loops);

  it('builds the loop, its listener and the connection', () => {
    expect(m.loops).toHaveLength(1);
    expect(m.loops[0]!.epfd).toBe(8);
    expect(m.loops[0]!.wakeFd).toBe(9);
    expect(m.listeners).toEqual([expect.objectContaining({ fd: 7, loops: [0] })]);
    const c = findConn(m, 0, 10, 0)!;
    expect(c.phase).toBe('closed');
    expect(c.closeReason).toBe('eof');
    expect(m.loops[0]!.conns).toBe(0);
    expect(m.counters.acceptsWon).toBe(1);
    expect(m.ended).toBe(true);
  });

  it('flips the interest mask on every epoll_ctl of the connection', () => {
    const masks: number[] = [];
    const live = emptyModel(1);
    for (const e of echo.events) {
      applyEvent(live, e);
      if (e.kind === 'ctl' && e.fd === 10) masks.push(findConn(live, 0, 10, 0)!.mask);
    }
    expect(masks[0]).toBe(EV.IN | EV.OUT);
    expect(masks[1]).toBe(EV.IN);
    // Every reply: MOD to IN|OUT, then back to IN.
    for (let i = 2; i < masks.length; i++) expect(masks[i]).toBe(i % 2 === 0 ? EV.IN | EV.OUT : EV.IN);
    expect(findConn(live, 0, 10, 0)!.modCount).toBe(masks.length - 1);
  });

  it('counts the client bytes and verifies them', () => {
    const c = m.clients.get(0)!;
    expect(c.sent).toBeGreaterThan(0);
    expect(c.received).toBe(c.sent);
    expect(c.verified).toBe(c.sent);
    expect(c.mismatches).toBe(0);
  });

  it('is pure: reduce leaves its input unchanged', () => {
    const before = reduceAll(echo.events.slice(0, 20), 1);
    const copy = cloneModel(before);
    const after = reduce(before, echo.events[20]!);
    expect(before).toEqual(copy);
    expect(after.applied).toBe(21);
  });
});

describe('cursor', () => {
  it('steps back exactly, across snapshots', () => {
    const events = simEvents('echo', 4, 'round-robin', 'evio', { clients: 8, messages: 40 });
    expect(events.length).toBeGreaterThan(SNAPSHOT_EVERY * 2);
    const buffer = new TraceBuffer(null, 4);
    buffer.append(events);
    const cursor = new Cursor(buffer, 4);
    const checks = [
      events.length,
      SNAPSHOT_EVERY + 1,
      SNAPSHOT_EVERY,
      SNAPSHOT_EVERY - 1,
      3,
      0,
      2 * SNAPSHOT_EVERY + 17,
    ];
    for (const n of checks) {
      cursor.seek(n);
      const back = cloneModel(cursor.seek(Math.max(n - 1, 0)));
      expect(back).toEqual(reduceAll(events.slice(0, Math.max(0, n - 1)), 4));
    }
  });
});

describe('accept races', () => {
  it('groups a herd into one race per connection with one winner', () => {
    const events = simEvents('herd', 4, 'random', 'evio', { conns: 20 });
    const m = reduceAll(events, 4);
    expect(m.counters.acceptsWon).toBeGreaterThan(1);
    const won = m.races.filter((r) => r.winner !== null);
    expect(won.length).toBeGreaterThan(0);
    for (const r of won) {
      expect(r.entries.filter((e) => e.outcome === 'won')).toHaveLength(1);
      expect(r.entries.length).toBeLessThanOrEqual(4);
      expect(new Set(r.entries.map((e) => e.loop)).size).toBe(r.entries.length);
    }
    // With 4 loops sharing the listener, other loops wake for the same connection.
    expect(won.some((r) => r.entries.length > 1)).toBe(true);
  });
});

describe('write loss', () => {
  it('records lost bytes in read-first mode and none in evio mode', () => {
    const evio = reduceAll(simEvents('write-loss-claim', 1, 'random'), 1);
    const readFirst = reduceAll(simEvents('write-loss-claim', 1, 'random', 'read-first'), 1);
    expect(evio.counters.bytesLost).toBe(0);
    expect(readFirst.counters.bytesLost).toBeGreaterThan(0);
    const lostConn = [...readFirst.conns[0]!.values()].find((c) => c.lost > 0);
    expect(lostConn).toBeDefined();
  });
});
