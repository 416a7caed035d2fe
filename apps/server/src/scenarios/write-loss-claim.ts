/**
 * `write-loss-claim` (spec §3): the scenario of the claim, byte-verified by the client. REQ1 asks
 * for a reply bigger than the socket buffers while the client is not reading; then REQ2 arrives
 * while that output is pending; then the client reads everything. evio's dispatch order writes
 * first: 0 bytes lost (and the EAGAIN spin while REQ2 waits). `read-first` reads REQ2 and its
 * reply truncates the pending tail: bytes lost, traced as `overwrite` with path `read`.
 */
import { Buffer } from 'node:buffer';
import { join, writeLossReplies } from '@loopscope/engine';
import { sleep } from './herd';
import {
  AcceptWatch,
  durationParam,
  IDLE_PARAM,
  num,
  SNDBUF_PARAM,
  shrinkSendBuffer,
  withClient,
} from './kit';
import type { Scenario } from './scenario';

export const writeLossClaim: Scenario = {
  name: 'write-loss-claim',
  title: 'The write-loss claim',
  description:
    'A second request while a big reply is pending: evio loses nothing, read-first loses the tail.',
  params: [
    {
      name: 'reply',
      min: 1,
      max: 16 * 1024 * 1024,
      default: 1024 * 1024,
      unit: 'bytes',
      description: 'Bytes of the reply to REQ1.',
    },
    {
      name: 'reply2',
      min: 1,
      max: 1024 * 1024,
      default: 4096,
      unit: 'bytes',
      description: 'Bytes of the reply to REQ2.',
    },
    {
      name: 'waitMs',
      min: 1,
      max: 2000,
      default: 100,
      unit: 'ms',
      description: 'Client pause after each request.',
    },
    SNDBUF_PARAM,
    IDLE_PARAM,
    durationParam(30),
  ],
  handler: (p) => ({ name: 'scenarios/write-loss', params: { reply: p.reply, reply2: p.reply2 } }),
  port: () => 0,
  maxDurationMs: (p) => Number(p.duration) * 1000,
  async run(ctx) {
    const watch = new AcceptWatch(ctx);
    const want = Buffer.from(
      join(...writeLossReplies({ reply: num(ctx, 'reply'), reply2: num(ctx, 'reply2') })),
    );
    try {
      await withClient(ctx, 0, async (client) => {
        const conn = await watch.conn(client.local, ctx.signal);
        await shrinkSendBuffer(ctx, conn, num(ctx, 'sndbuf'));
        client.pause();
        const sentAt = ctx.trace.now();
        client.send(Buffer.from('REQ1\n'));
        await sleep(num(ctx, 'waitMs'), ctx.signal);
        ctx.trace.emit({ kind: 'mark', text: 'write-loss-claim: REQ2 while the reply to REQ1 is pending' });
        client.send(Buffer.from('REQ2\n'));
        await sleep(num(ctx, 'waitMs'), ctx.signal);
        client.resume();
        client.verify(await client.receiveAll(want.length, ctx.signal, sentAt, num(ctx, 'idleMs')), want);
        await client.close(ctx.signal);
      });
    } finally {
      watch.close();
    }
  },
};
