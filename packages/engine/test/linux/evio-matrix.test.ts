/**
 * evio's TestServe, ported: {1 loop random, 5 loops least-connections, -1 loops round-robin} x
 * {tcp, tcp + unix}. Ten clients read the greeting, echo random 0..1 MiB blocks byte for byte,
 * and close; the server shuts itself down from Closed once all ten are gone (no stop() call).
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadBalance } from '../../src/core/api';
import { serve } from '../../src/linux/server';
import { closeAndWait, connect, echoRounds, readExactly } from './clients';

const CLIENTS = 10;
const module = new URL('../fixtures/handlers/evio-test-serve.ts', import.meta.url).href;

const cases: [number, LoadBalance, boolean][] = [];
for (const unix of [false, true]) {
  cases.push([1, 'random', unix], [5, 'least-connections', unix], [-1, 'round-robin', unix]);
}

describe('evio TestServe matrix', () => {
  it.each(cases)('loops %i, %s, unix listener too: %s', { timeout: 90_000 }, async (loops, balance, unix) => {
    const fds = readdirSync('/proc/self/fd').length;
    const counters = new SharedArrayBuffer(12);
    const path = join(tmpdir(), `loopscope-matrix-${process.pid}-${loops}.sock`);
    const server = await serve({
      addrs: unix ? ['tcp://127.0.0.1:0', `unix://${path}`] : ['tcp://127.0.0.1:0'],
      numLoops: loops,
      loadBalance: balance,
      handler: { module, params: { counters, clients: CLIENTS } },
    });
    const mismatches = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const c = await connect(server.addrs[0]!);
        expect((await readExactly(c, 11)).toString()).toBe('sweetness\r\n');
        const bad = await echoRounds(c, 2, 1024 * 1024);
        await closeAndWait(c);
        return bad;
      }),
    );
    await server.done;
    expect(mismatches).toEqual(new Array(CLIENTS).fill(0));
    expect([...new Int32Array(counters)]).toEqual([CLIENTS, CLIENTS, 0]);
    expect(readdirSync('/proc/self/fd').length).toBe(fds);
  });
});
