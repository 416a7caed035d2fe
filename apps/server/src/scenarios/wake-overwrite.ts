/**
 * `wake-overwrite` (spec §2.10): Data answers GET with a reply bigger than the socket buffers;
 * while it is pending the app (the server's main thread, `server.wake(fd, gen)`: the fd and
 * generation come from the engine's `accept` whose `remote` is the client's address) wakes the
 * connection, and Data(c, nil) returns `WAKE\n` and a Close. evio replaces the unsent tail
 * (`overwrite` path `wake`, its `lost` bytes never arrive); `fixed-wake` appends: nothing lost.
 */
import { Buffer } from 'node:buffer';
import { join, WAKE_TAIL, wakeReply } from '@loopscope/engine';
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

export const wakeOverwrite: Scenario = {
  name: 'wake-overwrite',
  title: 'Wake overwrites pending output',
  description: 'Conn.wake() while a big reply is pending: evio replaces the unsent tail, fixed-wake appends.',
  params: [
    {
      name: 'reply',
      min: 1,
      max: 16 * 1024 * 1024,
      default: 1024 * 1024,
      unit: 'bytes',
      description: 'Bytes of the reply to GET.',
    },
    {
      name: 'wakeAfterMs',
      min: 1,
      max: 2000,
      default: 50,
      unit: 'ms',
      description: 'When the app wakes the conn, after GET.',
    },
    {
      name: 'readAfterMs',
      min: 1,
      max: 4000,
      default: 150,
      unit: 'ms',
      description: 'When the client starts reading, after GET.',
    },
    SNDBUF_PARAM,
    IDLE_PARAM,
    durationParam(30),
  ],
  handler: (p) => ({ name: 'scenarios/wake-overwrite', params: { reply: p.reply } }),
  port: () => 0,
  maxDurationMs: (p) => Number(p.duration) * 1000,
  async run(ctx) {
    const watch = new AcceptWatch(ctx);
    const want = Buffer.from(join(wakeReply({ reply: num(ctx, 'reply') }), WAKE_TAIL));
    const wakeAfter = num(ctx, 'wakeAfterMs');
    try {
      await withClient(ctx, 0, async (client) => {
        const conn = await watch.conn(client.local, ctx.signal);
        await shrinkSendBuffer(ctx, conn, num(ctx, 'sndbuf'));
        client.pause();
        const sentAt = ctx.trace.now();
        client.send(Buffer.from('GET\n'));
        await sleep(wakeAfter, ctx.signal);
        ctx.trace.emit({ kind: 'mark', text: `app: Conn.wake() on fd ${conn.fd} (gen ${conn.gen})` });
        ctx.server.wake(conn.fd, conn.gen);
        await sleep(Math.max(0, num(ctx, 'readAfterMs') - wakeAfter), ctx.signal);
        client.resume();
        client.verify(await client.receiveAll(want.length, ctx.signal, sentAt, num(ctx, 'idleMs')), want);
        await client.close(ctx.signal);
      });
    } finally {
      watch.close();
    }
  },
};
