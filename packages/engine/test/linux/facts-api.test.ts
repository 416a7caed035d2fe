/**
 * evio's own API tests (evio_test.go, spec §4), ported: TestTick, TestShutdown, TestDetach,
 * TestBadAddresses (the parts serve.test.ts does not cover) and TestInputStream.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputStream } from '../../src/core/api';
import { builtinHandlerUrl } from '../../src/linux/handler-module';
import { serve } from '../../src/linux/server';
import { closeAndWait, connect, echoRounds, readExactly } from './clients';
import { fdCount, fixture, ofKind, readToEnd, traced, waitFor } from './facts-helpers';

const echo = builtinHandlerUrl('echo');

describe('evio API facts', () => {
  it('Tick: on loop 0 only, first right after start, then `delay` after each return; Shutdown stops', async () => {
    const counters = new SharedArrayBuffer(20);
    const { server, events } = await traced({
      numLoops: 2,
      handler: { module: fixture('facts-tick'), params: { counters, delay: 10, ticks: 25 } },
    });
    await server.done;
    const ticks = ofKind(events, 'handler', (e) => e.handler === 'tick');
    expect(ticks).toHaveLength(25);
    expect(new Int32Array(counters)[4]).toBe(0); // every call on one thread...
    expect(new Set(ticks.map((e) => e.loop))).toEqual(new Set([0])); // ...loop 0's
    // The first tick follows loop 0's first wait, which had a 0 ms timeout (no traffic needed).
    const firstWait = events.find((e) => e.kind === 'wait-enter' && e.loop === 0)!;
    expect(firstWait).toMatchObject({ timeoutMs: 0 });
    expect(
      events.filter((e) => e.loop === 0 && e.kind === 'wait-return' && e.seq < ticks[0]!.seq),
    ).toHaveLength(1);
    for (let i = 1; i < ticks.length; i++) {
      const started = ticks[i]!.t - ticks[i]!.durNs;
      expect(started - ticks[i - 1]!.t).toBeGreaterThanOrEqual(10e6);
    }
    expect(ticks.at(-1)!.action).toBe('shutdown');
    expect(ofKind(events, 'loop-stop').map((e) => e.reason)).toEqual(['shutdown', 'shutdown']);
  });

  it('Shutdown (from Tick): Closed fires for every open conn, and the clients see EOF', async () => {
    const counters = new SharedArrayBuffer(20);
    const fds = fdCount();
    const { server, events } = await traced({
      numLoops: 2,
      handler: { module: fixture('facts-tick'), params: { counters, delay: 50, conns: 10 } },
    });
    const clients = await Promise.all(Array.from({ length: 10 }, () => connect(server.addrs[0]!)));
    const eofs = clients.map(readToEnd);
    await server.done;
    expect((await Promise.all(eofs)).map((b) => b.length)).toEqual(new Array(10).fill(0));
    const n = new Int32Array(counters);
    expect([n[1], n[2], n[3]]).toEqual([0, 10, 0]); // none open, 10 Closed calls, all with err nil
    expect(ofKind(events, 'close', (e) => e.reason === 'shutdown')).toHaveLength(10);
    for (const c of clients) c.destroy();
    expect(fdCount()).toBe(fds);
  });

  it('Detach: output is flushed first, then the socket works with blocking read/write', async () => {
    const size = 10 * 1024 * 2 + '--detached--'.length;
    const { server, events } = await traced({
      handler: { module: fixture('facts-detach'), params: { size } },
    });
    const c = await connect(server.addrs[0]!);
    const first = Buffer.concat([
      randomBytes(10 * 1024),
      Buffer.from('--detached--'),
      randomBytes(10 * 1024),
    ]);
    c.write(first);
    expect((await readExactly(c, size)).equals(first)).toBe(true);
    const second = randomBytes(size);
    const rest = readToEnd(c);
    c.write(second);
    expect((await rest).equals(second)).toBe(true); // echoed by the detached socket, then closed
    const { fd, gen } = (await waitFor(events, 'handler', (e) => e.handler === 'detached')) as {
      fd: number;
      gen: number;
    };
    c.destroy();
    await server.stop();
    const mine = events.filter((e) => 'gen' in e && e.gen === gen && 'fd' in e && e.fd === fd);
    const lastWrite = mine.findLastIndex((e) => e.kind === 'write');
    const del = mine.findIndex((e) => e.kind === 'ctl' && e.op === 'del');
    expect(mine[lastWrite]).toMatchObject({ result: 'full' });
    expect(del).toBeGreaterThan(lastWrite);
    expect(mine.slice(del).map((e) => (e.kind === 'handler' ? `handler ${e.handler}` : e.kind))).toEqual([
      'ctl',
      'sys',
      'handler detached',
    ]);
    expect(mine.some((e) => e.kind === 'close')).toBe(false); // Closed never fires for it
  });

  it('bad addresses: "howdy" is refused with a clear error, "tcp://" binds a port and serves', async () => {
    await expect(serve({ addrs: ['howdy'], handler: { module: echo } })).rejects.toThrow('missing port');
    const server = await serve({ addrs: ['tcp://'], handler: { module: echo } });
    expect(server.addrs[0]).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    const c = await connect(server.addrs[0]!);
    expect(await echoRounds(c, 1, 100)).toBe(0);
    await closeAndWait(c);
    await server.stop();
  });

  it('InputStream: the TestInputStream sequence', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const dec = (b: Uint8Array) => new TextDecoder().decode(b);
    const is = new InputStream();
    const hello = enc('HELLO');
    const data = is.begin(hello);
    expect(data).toBe(hello); // nothing buffered: the packet itself, no copy
    is.end(data.subarray(3));
    expect(dec(is.begin(enc('WLY')))).toBe('LOWLY');
    is.end(null);
    expect(dec(is.begin(enc('PLAYER')))).toBe('PLAYER');
  });
});
