import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceEvent } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { builtinHandlerUrl } from '../../src/linux/handler-module';
import { serve } from '../../src/linux/server';
import { closeAndWait, connect, echoRounds, readExactly } from './clients';

const handlers = new URL('../fixtures/handlers/', import.meta.url);
const echo = builtinHandlerUrl('echo');
const fdCount = () => readdirSync('/proc/self/fd').length;
const threadCount = () => readdirSync('/proc/self/task').length;

describe('serve on real loop threads', () => {
  it.each([
    [1, 'live'],
    [3, 'live'],
    [1, 'spill'],
    [3, 'spill'],
  ] as const)(
    'echoes random payloads byte for byte over %i loop(s), then stops cleanly (%s trace)',
    async (loops, delivery) => {
      const fds = fdCount();
      const threads = threadCount();
      const events: TraceEvent[] = [];
      const spillParent =
        delivery === 'spill' ? mkdtempSync(join(tmpdir(), 'loopscope-spill-test-')) : undefined;
      const server = await serve({
        addrs: ['tcp://127.0.0.1:0'],
        numLoops: loops,
        handler: { module: echo },
        spillDir: spillParent,
        // A slow consumer: a spill merge waits for each batch.
        onEvents: async (evs) => {
          events.push(...evs);
          if (delivery === 'spill') await new Promise((r) => setTimeout(r, 1));
        },
      });
      expect(server.numLoops).toBe(loops);
      const clients = await Promise.all(Array.from({ length: 6 }, () => connect(server.addrs[0]!)));
      const mismatches = await Promise.all(clients.map((c) => echoRounds(c, 4, 256 * 1024)));
      expect(mismatches).toEqual([0, 0, 0, 0, 0, 0]);
      await Promise.all(clients.map(closeAndWait));
      if (spillParent) {
        await new Promise((r) => setTimeout(r, 60)); // a few drains: records go to disk, not to onEvents
        expect(events).toHaveLength(0);
        expect(server.eventCount).toBeGreaterThan(100);
        expect(readdirSync(spillParent)).toHaveLength(1);
      }
      await server.stop();
      await server.done;
      if (spillParent) {
        expect(readdirSync(spillParent)).toEqual([]); // the spill files are gone
        rmSync(spillParent, { recursive: true });
      }
      expect(fdCount()).toBe(fds);
      await new Promise((r) => setTimeout(r, 50));
      expect(threadCount()).toBe(threads);

      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
      for (let i = 1; i < events.length; i++) expect(events[i]!.t).toBeGreaterThanOrEqual(events[i - 1]!.t);
      expect(server.eventCount).toBe(events.length);
      const starts = events.filter((e) => e.kind === 'loop-start');
      expect(starts.map((e) => e.loop).sort()).toEqual(Array.from({ length: loops }, (_, i) => i));
      expect(events.filter((e) => e.kind === 'loop-stop')).toHaveLength(loops);
      expect(events.filter((e) => e.kind === 'accept' && e.outcome === 'won')).toHaveLength(6);
      const closes = events.filter((e) => e.kind === 'close');
      expect(closes).toHaveLength(6);
    },
  );

  it('closes open conns with Closed at stop, and the clients see EOF', async () => {
    const fds = fdCount();
    const server = await serve({ addrs: ['tcp://127.0.0.1:0'], numLoops: 2, handler: { module: echo } });
    const c = await connect(server.addrs[0]!);
    expect(await echoRounds(c, 1, 1000)).toBe(0);
    const closed = new Promise((r) => c.once('end', r));
    await server.stop();
    await closed;
    c.destroy();
    expect(fdCount()).toBe(fds);
  });

  it('stops by itself when a handler returns Shutdown', async () => {
    const fds = fdCount();
    const path = join(tmpdir(), `loopscope-shutdown-${process.pid}.sock`);
    const server = await serve({
      addrs: ['tcp://127.0.0.1:0', `unix://${path}`],
      numLoops: 3,
      handler: { module: new URL('shutdown-on-data.ts', handlers).href },
    });
    const c = await connect(server.addrs[1]!);
    expect(await echoRounds(c, 2, 5000)).toBe(0);
    c.write('shutdown');
    await server.done;
    c.destroy();
    expect(fdCount()).toBe(fds);
    expect(readdirSync(tmpdir())).not.toContain(`loopscope-shutdown-${process.pid}.sock`);
  });

  it('ends at once when Serving returns Shutdown, and explains a bad handler module', async () => {
    const fds = fdCount();
    const events: TraceEvent[] = [];
    const server = await serve({
      addrs: ['tcp://'],
      handler: { module: new URL('shutdown-on-data.ts', handlers).href, export: 'refuseToServe' },
      onEvents: (evs) => events.push(...evs),
    });
    await server.done;
    expect(fdCount()).toBe(fds);
    expect(
      events.some((e) => e.kind === 'handler' && e.handler === 'serving' && e.action === 'shutdown'),
    ).toBe(true);
    await expect(serve({ addrs: ['tcp://'], handler: { module: echo, export: 'nothing' } })).rejects.toThrow(
      'export "nothing" is not a function',
    );
    await expect(serve({ addrs: ['tulip://howdy'], handler: { module: echo } })).rejects.toThrow(
      'unknown network "tulip"',
    );
    expect(fdCount()).toBe(fds);
  });

  it('greets, then reads what Opened wrote before any input', async () => {
    const server = await serve({
      addrs: ['tcp://127.0.0.1:0'],
      handler: { module: echo, params: { greeting: 'hi\r\n' } },
    });
    const c = await connect(server.addrs[0]!);
    expect((await readExactly(c, 4)).toString()).toBe('hi\r\n');
    await closeAndWait(c);
    await server.stop();
  });

  it('wakes a conn from the main thread by fd and generation', async () => {
    const events: TraceEvent[] = [];
    const server = await serve({
      addrs: ['tcp://127.0.0.1:0'],
      numLoops: 2,
      handler: { module: new URL('wake-reply.ts', handlers).href },
      onEvents: (evs) => events.push(...evs),
    });
    const c = await connect(server.addrs[0]!);
    expect(await echoRounds(c, 1, 100)).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    const won = events.find((e) => e.kind === 'accept' && e.outcome === 'won');
    if (won?.kind !== 'accept') throw new Error('no accept in the trace');
    const reply = readExactly(c, 6);
    server.wake(won.fd!, won.gen!);
    expect((await reply).toString()).toBe('woken\n');
    server.wake(won.fd!, won.gen! + 1000);
    await closeAndWait(c);
    await server.stop();
    expect(events.filter((e) => e.kind === 'handler' && e.handler === 'wake')).toHaveLength(1);
  });

  it('serves in reuseport mode with one listener per loop', async () => {
    const fds = fdCount();
    const events: TraceEvent[] = [];
    const server = await serve({
      addrs: ['tcp://127.0.0.1:0'],
      numLoops: 3,
      mode: 'reuseport',
      handler: { module: echo },
      onEvents: (evs) => events.push(...evs),
    });
    const clients = await Promise.all(Array.from({ length: 6 }, () => connect(server.addrs[0]!)));
    expect(await Promise.all(clients.map((c) => echoRounds(c, 2, 10_000)))).toEqual([0, 0, 0, 0, 0, 0]);
    await Promise.all(clients.map(closeAndWait));
    await server.stop();
    const listeners = events.filter((e) => e.kind === 'listener');
    expect(new Set(listeners.map((e) => (e.kind === 'listener' ? e.fd : -1))).size).toBe(3);
    expect(events.filter((e) => e.kind === 'accept' && e.outcome !== 'won')).toHaveLength(0);
    expect(fdCount()).toBe(fds);
  });

  it('stops the server, fds closed, when a handler timer throws in a loop thread', async () => {
    const fds = fdCount();
    const events: TraceEvent[] = [];
    const server = await serve({
      addrs: ['tcp://127.0.0.1:0'],
      numLoops: 2,
      handler: { module: new URL('timer-throws.ts', handlers).href },
      onEvents: (evs) => events.push(...evs),
    });
    const c = await connect(server.addrs[0]!);
    c.on('error', () => {});
    await server.done;
    c.destroy();
    expect(fdCount()).toBe(fds);
    const stops = events.filter((e) => e.kind === 'loop-stop');
    expect(
      stops.some((e) => e.kind === 'loop-stop' && e.reason === 'error' && e.error === 'boom from a timer'),
    ).toBe(true);
  });
});
