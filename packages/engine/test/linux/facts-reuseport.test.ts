/**
 * evio's TestReuseport, ported (spec §1.8, §4.8): five servers bound to one port at once with
 * `?reuseport=true`, all serving; without the option the port is refused.
 */
import { describe, expect, it } from 'vitest';
import { builtinHandlerUrl } from '../../src/linux/handler-module';
import { serve } from '../../src/linux/server';
import { closeAndWait, connect, echoRounds } from './clients';

const echo = builtinHandlerUrl('echo');

describe('evio facts: reuseport', () => {
  it('reuseport: 5 servers serve on one port at once with ?reuseport=true', async () => {
    const first = await serve({ addrs: ['tcp://127.0.0.1:0?reuseport=true'], handler: { module: echo } });
    const addr = `tcp://${first.addrs[0]}?reuseport=true`;
    const servers = [
      first,
      ...(await Promise.all([1, 2, 3, 4].map(() => serve({ addrs: [addr], handler: { module: echo } })))),
    ];
    expect(new Set(servers.map((s) => s.addrs[0]))).toEqual(new Set([first.addrs[0]]));
    // Without the option the same port is refused: the option is what makes it work.
    await expect(serve({ addrs: [`tcp://${first.addrs[0]}`], handler: { module: echo } })).rejects.toThrow(
      /EADDRINUSE|in use/,
    );
    const clients = await Promise.all(Array.from({ length: 10 }, () => connect(first.addrs[0]!)));
    expect(await Promise.all(clients.map((c) => echoRounds(c, 1, 1000)))).toEqual(new Array(10).fill(0));
    await Promise.all(clients.map(closeAndWait));
    await Promise.all(servers.map((s) => s.stop()));
  });
});
