import { createSimRun } from '@loopscope/engine';
import type { TraceEvent } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { emptyModel } from '../src/model/model';
import { applyEvent } from '../src/model/reduce';
import type { Model } from '../src/model/types';
import { connSentence, laneSentence, raceText, topItems } from '../src/stage/labels';
import { hitTest, LEFT, laneHeight, layoutStage, NODE_H, NODE_W, TOP } from '../src/stage/layout';
import { MAX_CONNS_PER_LANE, stageData } from '../src/stage/stage-data';

/** The model after a simulated run (or its first `limit` events). */
function simModel(scenario: string, loops: number, params: Record<string, number>, limit = Infinity): Model {
  const run = createSimRun({ scenario, mode: 'evio', loops, balance: 'round-robin', seed: 3, params });
  const m = emptyModel(loops);
  let n = 0;
  while (!run.done && n < limit) {
    const batch: TraceEvent[] = run.advance(1000);
    for (const e of batch) {
      if (n++ >= limit) break;
      applyEvent(m, e);
    }
  }
  return m;
}

describe('stage layout', () => {
  // A herd of 40 connections on 2 loops, stopped while they are all open.
  const m = simModel('load', 2, { clients: 40, messages: 50 }, 3000);
  const d = stageData(m, 'evio', null, -2);
  const L = layoutStage(d, 1000, 600);

  it('has one lane per loop, stacked below the top line, with the connections that fit', () => {
    expect(L.lanes.map((l) => l.data.loop.index)).toEqual([0, 1]);
    const h = laneHeight(2, 600);
    L.lanes.forEach((lane, i) => {
      expect(lane.y).toBe(TOP + i * h);
      expect(lane.x).toBe(LEFT);
    });
    for (const lane of L.lanes) {
      const all = m.conns[lane.data.loop.index]!.size;
      expect(lane.data.conns.length).toBe(Math.min(all, MAX_CONNS_PER_LANE));
      // Nodes inside their lane, none over another; the rest counted as "+N more".
      for (const c of lane.conns) {
        expect(c.x + NODE_W).toBeLessThanOrEqual(lane.x + lane.w);
        expect(c.y + NODE_H).toBeLessThanOrEqual(lane.y + lane.h);
      }
      for (let i = 1; i < lane.conns.length; i++) {
        const a = lane.conns[i - 1]!;
        const b = lane.conns[i]!;
        expect(a.x + NODE_W <= b.x || a.y + NODE_H <= b.y).toBe(true);
      }
      expect(lane.conns.length + lane.more).toBe(all);
      expect(lane.more).toBeGreaterThan(0);
    }
  });

  it('links the listener to every loop that watches it', () => {
    expect(L.listeners).toHaveLength(1);
    expect(L.links.map((k) => k.y1)).toEqual(L.lanes.map((lane) => lane.y + 28));
  });

  it('finds what is under the pointer: a connection, its loop, the listener, a client, or nothing', () => {
    const lane = L.lanes[1]!;
    const node = lane.conns[0]!;
    const hit = hitTest(L, node.x + 5, node.y + 5);
    expect(hit).toMatchObject({ kind: 'conn', conn: { conn: node.conn } });
    expect(hitTest(L, lane.head.x + 5, lane.head.y + 5)).toMatchObject({
      kind: 'loop',
      lane: { data: lane.data },
    });
    const listener = L.listeners[0]!;
    expect(hitTest(L, listener.x + 5, listener.y + 5)?.kind).toBe('listener');
    const client = L.clients[0]!;
    expect(hitTest(L, client.x + 5, client.y + 5)).toMatchObject({
      kind: 'client',
      client: { client: client.client },
    });
    expect(hitTest(L, 5, 5)).toBeNull();
  });

  it('shows only the clients that fit, and counts the others', () => {
    expect(L.clients.length).toBeLessThan(d.clients.length);
    expect(L.clients.length + L.clientsHidden).toBe(d.clients.length);
    const last = L.clients[L.clients.length - 1]!;
    expect(last.y + last.h).toBeLessThanOrEqual(600);
  });
});

describe('stage words', () => {
  it('says the latest accept race as the stage shows it', () => {
    const m = simModel('herd', 3, { conns: 4 });
    const d = stageData(m, 'evio', null, -2);
    const race = m.races[m.races.length - 1]!;
    expect(raceText(d)).toBe(
      `accept race #${race.id}: ${race.entries.length} loops woke → loop ${race.winner} won fd ${race.fd}`,
    );
    expect(topItems(d).map((t) => `${t.k} ${t.v}`)).toEqual([
      'mode evio',
      `EAGAIN spin ${m.counters.writeEagain} writes · ${d.eagainRate}/s`,
      'bytes lost 0 B',
    ]);
  });

  it('describes a loop and a connection in one sentence each', () => {
    const m = simModel('load', 1, { clients: 2, messages: 3 }, 120);
    const d = stageData(m, 'evio', null, -2);
    const lane = d.lanes[0]!;
    const l = lane.loop;
    expect(laneSentence(lane)).toMatch(
      new RegExp(
        `^loop 0 \\(epoll ${l.epfd} · wake ${l.wakeFd}\\): .+; ${l.wakeups} wakes · ${l.conns} conns?\\.$`,
      ),
    );
    const c = lane.conns[0]!;
    expect(connSentence(c, false)).toMatch(
      new RegExp(`^fd ${c.fd}, interest (R \\(read\\)|RW \\(read and write\\)), `),
    );
  });
});
