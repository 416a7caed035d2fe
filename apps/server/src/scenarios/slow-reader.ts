/**
 * `slow-reader`: a client sends a payload and reads the echo slowly (it pauses reading, so the
 * kernel's buffers fill; the served socket's SO_SNDBUF is made small). The server's writes go
 * partial; while output is pending the client keeps sending, the fd stays readable and every
 * wake-up ends in a write that fails with EAGAIN: the spin (`writesEagain`, and its rate).
 * No byte is lost: the client verifies the whole echo.
 */
import { Buffer } from 'node:buffer';
import { pattern } from '@loopscope/engine';
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

export const slowReader: Scenario = {
  name: 'slow-reader',
  title: 'Slow reader',
  description:
    'A client that sends but reads slowly: partial writes, pending output, the EAGAIN spin, no byte lost.',
  params: [
    {
      name: 'payload',
      min: 1,
      max: 16 * 1024 * 1024,
      default: 512 * 1024,
      unit: 'bytes',
      description: 'Bytes sent and echoed.',
    },
    {
      name: 'readGapMs',
      min: 0,
      max: 1000,
      default: 2,
      unit: 'ms',
      description: 'Pause between two reads of the client.',
    },
    SNDBUF_PARAM,
    IDLE_PARAM,
    durationParam(30),
  ],
  handler: () => ({ name: 'echo' }),
  port: () => 0,
  maxDurationMs: (p) => Number(p.duration) * 1000,
  async run(ctx) {
    const watch = new AcceptWatch(ctx);
    const payload = Buffer.from(pattern(num(ctx, 'payload'), 7));
    try {
      await withClient(ctx, 0, async (client) => {
        const conn = await watch.conn(client.local, ctx.signal);
        await shrinkSendBuffer(ctx, conn, num(ctx, 'sndbuf'));
        client.pause();
        const sentAt = ctx.trace.now();
        client.send(payload);
        // One chunk at a time, then a pause: the reader is slower than the loop's writes.
        while (client.buffered < payload.length && !client.ended && !ctx.signal.aborted) {
          const have = client.buffered;
          client.resume();
          const more = await client.more(have, ctx.signal, num(ctx, 'idleMs'));
          client.pause();
          if (!more) break;
          await sleep(num(ctx, 'readGapMs'), ctx.signal);
        }
        client.resume();
        client.verify(
          await client.receiveAll(payload.length, ctx.signal, sentAt, num(ctx, 'idleMs')),
          payload,
        );
        await client.close(ctx.signal);
      });
    } finally {
      watch.close();
    }
  },
};
