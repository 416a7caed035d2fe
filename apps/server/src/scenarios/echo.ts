/**
 * `echo`: the baseline. Each client sends `messages` messages of `bytes` bytes, one at a time,
 * and verifies every echo. Look at the epoll_ctl around each reply: evio MODs the fd to IN|OUT
 * after Data and back to IN after the write (2 per request); `direct-write` needs none.
 */
import { Buffer } from 'node:buffer';
import { pattern } from '@loopscope/engine';
import { sleep } from './herd';
import { durationParam, num, withClient } from './kit';
import type { Scenario, ScenarioContext } from './scenario';

export const echo: Scenario = {
  name: 'echo',
  title: 'Echo',
  description: 'Request/response echo: the MOD IN <-> IN|OUT churn around every reply.',
  params: [
    {
      name: 'connections',
      min: 1,
      max: 64,
      default: 1,
      unit: 'connections',
      description: 'Concurrent clients.',
    },
    {
      name: 'messages',
      min: 1,
      max: 1000,
      default: 5,
      unit: 'messages',
      description: 'Messages per client.',
    },
    { name: 'bytes', min: 1, max: 65536, default: 64, unit: 'bytes', description: 'Bytes per message.' },
    { name: 'thinkMs', min: 0, max: 1000, default: 0, unit: 'ms', description: 'Pause between messages.' },
    durationParam(10),
  ],
  handler: () => ({ name: 'echo' }),
  port: () => 0,
  maxDurationMs: (p) => Number(p.duration) * 1000,
  async run(ctx) {
    const n = num(ctx, 'connections');
    ctx.trace.emit({ kind: 'mark', text: `echo: ${n} client(s), ${num(ctx, 'messages')} messages each` });
    await Promise.all(Array.from({ length: n }, (_, id) => echoClient(ctx, id, num(ctx, 'thinkMs'))));
  },
};

/** One client: `messages` request/replies, each verified; used by `load` too (until `until`). */
export function echoClient(
  ctx: ScenarioContext,
  id: number,
  thinkMs: number,
  until = Infinity,
): Promise<void> {
  const messages = until === Infinity ? num(ctx, 'messages') : Infinity;
  const bytes = num(ctx, 'bytes');
  return withClient(ctx, id, async (client) => {
    for (let k = 0; k < messages && !ctx.signal.aborted && performance.now() < until; k++) {
      const msg = Buffer.from(pattern(bytes, id * 1000 + (k % 1000)));
      const sentAt = ctx.trace.now();
      client.send(msg);
      client.verify(await client.receive(msg.length, ctx.signal, sentAt), msg);
      if (thinkMs > 0) await sleep(thinkMs, ctx.signal);
    }
    await client.close(ctx.signal);
  });
}
