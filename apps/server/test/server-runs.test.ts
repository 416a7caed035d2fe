import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeRecording, type TraceEventKind } from '@loopscope/trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineForTests } from './support/engine';
import { api, type Harness, startHarness, startRun, WsClient } from './support/harness';

let h: Harness;

beforeAll(async () => {
  const engine = await engineForTests();
  h = await startHarness({ loadEngine: engine.loadEngine });
});
afterAll(() => h.close());

describe('a herd run', () => {
  it('streams hello then the events herd must produce, and records every one of them', async () => {
    const ws = await WsClient.open(h);
    const hello = await ws.waitFor((m) => m.type === 'hello');
    expect(hello).toMatchObject({ type: 'hello', protocol: 1, run: null });

    const run = await startRun(h, {
      scenario: 'herd',
      loops: 4,
      balance: 'round-robin',
      params: { connections: 12 },
    });
    expect(run).toMatchObject({
      scenario: 'herd',
      loops: 4,
      balance: 'round-robin',
      mode: 'evio',
      state: 'running',
    });
    const end = await ws.waitForEnd(run.id);
    expect(end.type === 'run' && end.run.state).toBe('finished');

    const events = ws.events(run.id);
    const kinds = new Set<TraceEventKind>(events.map((e) => e.kind));
    for (const k of ['loop-start', 'accept', 'opened', 'read', 'write', 'close'] as const)
      expect(kinds).toContain(k);
    for (const k of [
      'client-connect',
      'client-send',
      'client-recv',
      'client-verify',
      'client-close',
    ] as const) {
      expect(kinds).toContain(k);
    }
    expect(events.filter((e) => e.kind === 'client-verify').every((e) => e.mismatches === 0)).toBe(true);
    expect(events.filter((e) => e.kind === 'client-connect')).toHaveLength(12);
    expect(events.filter((e) => e.kind === 'accept' && e.outcome === 'won')).toHaveLength(12);
    // Four loops watch one listener: the losers of each race see EAGAIN or decline.
    expect(kinds).toContain('wait-return');
    expect(
      events.some((e) => e.kind === 'accept' && (e.outcome === 'eagain' || e.outcome === 'declined')),
    ).toBe(true);
    // A live client that kept up saw every event, in order, ending with `end`.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.at(-1)?.kind).toBe('end');

    const current = await api(h, 'GET', '/api/runs/current');
    expect(current.body.run.state).toBe('finished');
    expect(current.body.engineCount).toBe(current.body.engineEvents);

    const text = await readFile(join(h.dataDir, run.recording!), 'utf8');
    const rec = decodeRecording(text);
    expect(rec.complete).toBe(true);
    expect(rec.header).toMatchObject({
      mode: 'evio',
      loops: 4,
      balance: 'round-robin',
      source: { type: 'engine' },
    });
    expect(rec.header?.scenario).toEqual({
      name: 'herd',
      params: { connections: 12, bytes: 16, gapMs: 50, duration: 20 },
    });
    expect(rec.header?.host?.cpus).toBeGreaterThan(0);
    expect(rec.events).toHaveLength(current.body.run.events);
    // What the scenario itself emits (its clients, its marks and findings), not the engine.
    const clientKinds = (k: string) =>
      k.startsWith('client-') || k === 'mark' || k === 'end' || k === 'herd-wakeups';
    expect(rec.events.filter((e) => !clientKinds(e.kind) || e.loop >= 0)).toHaveLength(
      current.body.engineCount,
    );
    ws.close();
  });

  it('lists, downloads and deletes the recording', async () => {
    const list = await api(h, 'GET', '/api/recordings');
    expect(list.status).toBe(200);
    const [first] = list.body;
    expect(first.name).toMatch(/herd-[0-9a-f]{8}\.ndjson$/);
    expect(first.header.scenario.name).toBe('herd');
    const dl = await fetch(`${h.server.url}/api/recordings/${first.name}`);
    expect(dl.headers.get('content-type')).toContain('application/x-ndjson');
    expect(decodeRecording(await dl.text()).complete).toBe(true);
    expect((await api(h, 'DELETE', `/api/recordings/${first.name}`)).status).toBe(204);
    expect((await api(h, 'GET', `/api/recordings/${first.name}`)).status).toBe(404);
  });

  it('runs one run at a time and stops on request', async () => {
    const run = await startRun(h, { scenario: 'herd', loops: 2, params: { connections: 2000, gapMs: 5 } });
    const busy = await api(h, 'POST', '/api/runs', { scenario: 'herd' });
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('busy');
    const stopped = await api(h, 'POST', '/api/runs/stop');
    expect(stopped.status).toBe(200);
    expect(stopped.body.run, JSON.stringify(stopped.body.run)).toMatchObject({
      id: run.id,
      state: 'finished',
    });
    expect((await api(h, 'POST', '/api/runs/stop')).body.error.code).toBe('no-run');
    const rec = decodeRecording(await readFile(join(h.dataDir, run.recording!), 'utf8'));
    expect(rec.complete).toBe(true);
  });

  it('lists the scenario catalog with bounded parameters', async () => {
    const res = await api(h, 'GET', '/api/scenarios');
    const herd = res.body.find((s: { name: string }) => s.name === 'herd');
    expect(herd.params.find((p: { name: string }) => p.name === 'duration')).toMatchObject({
      min: 1,
      max: 30,
      unit: 's',
    });
    expect(res.body.map((s: { name: string }) => s.name)).toContain('playground');
  });
});
