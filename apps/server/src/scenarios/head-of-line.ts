/**
 * `head-of-line` (seed: serialization): client 0's requests make Data burn `busyMs` of its loop
 * (`Conn.busy`); the other clients ping every `gapMs`. The other connections of the slow loop
 * wait behind it (their `client-recv` latency grows); those of another loop do not. A `mark` at
 * the end gives the mean latency per loop.
 */
import { Buffer } from 'node:buffer';
import { sleep } from './herd';
import { AcceptWatch, durationParam, num } from './kit';
import { LoopbackClient } from './loopback-client';
import type { Scenario, ScenarioContext } from './scenario';

export const headOfLine: Scenario = {
  name: 'head-of-line',
  title: 'Head-of-line blocking',
  description: 'One slow handler delays the other connections of its loop, not those of another loop.',
  params: [
    {
      name: 'connections',
      min: 2,
      max: 16,
      default: 6,
      unit: 'connections',
      description: 'Clients; client 0 is the slow one.',
    },
    {
      name: 'messages',
      min: 1,
      max: 200,
      default: 10,
      unit: 'messages',
      description: 'Requests per client.',
    },
    {
      name: 'busyMs',
      min: 1,
      max: 1000,
      default: 20,
      unit: 'ms',
      description: 'Time Data burns for a SLOW request.',
    },
    {
      name: 'gapMs',
      min: 1,
      max: 1000,
      default: 30,
      unit: 'ms',
      description: 'Pause between two requests of a client.',
    },
    durationParam(20),
  ],
  handler: (p) => ({ name: 'scenarios/head-of-line', params: { busyMs: p.busyMs } }),
  port: () => 0,
  maxDurationMs: (p) => Number(p.duration) * 1000,
  async run(ctx) {
    const watch = new AcceptWatch(ctx);
    const clients: LoopbackClient[] = [];
    try {
      // Connected one at a time, with the loops parked, so the balancer places them.
      for (let id = 0; id < num(ctx, 'connections') && !ctx.signal.aborted; id++) {
        clients.push(
          await LoopbackClient.connect(id, ctx.address.host, ctx.address.port, ctx.trace, ctx.signal),
        );
        await sleep(10, ctx.signal);
      }
      const loops = await Promise.all(
        clients.map((c) => watch.conn(c.local, ctx.signal).then((a) => a.loop)),
      );
      const lat = await Promise.all(clients.map((c) => pinger(ctx, c)));
      const slowLoop = loops[0]!;
      const mean = (xs: number[]) =>
        xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length / 1e6;
      const same = lat
        .slice(1)
        .filter((_, i) => loops[i + 1] === slowLoop)
        .flat();
      const other = lat
        .slice(1)
        .filter((_, i) => loops[i + 1] !== slowLoop)
        .flat();
      ctx.trace.emit({
        kind: 'mark',
        text: `head-of-line: slow client on loop ${slowLoop}; mean latency of the others there ${mean(same).toFixed(2)} ms, on other loops ${mean(other).toFixed(2)} ms`,
      });
      for (const c of clients) await c.close(ctx.signal);
    } catch (err) {
      for (const c of clients) c.destroy();
      if (!ctx.signal.aborted) throw err;
    } finally {
      watch.close();
    }
  },
};

/** Sends `messages` requests, each `gapMs` after the previous reply; returns the latencies (ns). */
async function pinger(ctx: ScenarioContext, c: LoopbackClient): Promise<number[]> {
  const out: number[] = [];
  // Staggered so that the pings do not all line up with the slow request.
  await sleep((c.id * 7) % num(ctx, 'gapMs'), ctx.signal);
  for (let k = 0; k < num(ctx, 'messages') && !ctx.signal.aborted; k++) {
    const msg = Buffer.from(`${c.id === 0 ? 'SLOW' : 'PING'} ${c.id} ${k}\n`);
    const sentAt = ctx.trace.now();
    c.send(msg);
    c.verify(await c.receive(msg.length, ctx.signal, sentAt), msg);
    out.push(ctx.trace.now() - sentAt);
    await sleep(num(ctx, 'gapMs'), ctx.signal);
  }
  return out;
}
