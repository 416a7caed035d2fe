/**
 * `load`: many clients echo at full speed for a bounded time, to compare what each mode pays
 * per request: syscalls, epoll_ctl, wake-ups (`loopscope stats`).
 */
import { echoClient } from './echo';
import { durationParam, num } from './kit';
import type { Scenario } from './scenario';

export const load: Scenario = {
  name: 'load',
  title: 'Load',
  description: 'Many clients echo as fast as they can for a bounded time: syscalls per request in each mode.',
  params: [
    {
      name: 'connections',
      min: 1,
      max: 64,
      default: 8,
      unit: 'connections',
      description: 'Concurrent clients.',
    },
    { name: 'bytes', min: 1, max: 65536, default: 64, unit: 'bytes', description: 'Bytes per message.' },
    {
      name: 'ms',
      min: 100,
      max: 20_000,
      default: 2000,
      unit: 'ms',
      description: 'How long the clients send.',
    },
    durationParam(30),
  ],
  handler: () => ({ name: 'echo' }),
  port: () => 0,
  maxDurationMs: (p) => Number(p.duration) * 1000,
  async run(ctx) {
    const n = num(ctx, 'connections');
    ctx.trace.emit({ kind: 'mark', text: `load: ${n} clients for ${num(ctx, 'ms')} ms` });
    const until = performance.now() + num(ctx, 'ms');
    await Promise.all(Array.from({ length: n }, (_, id) => echoClient(ctx, id, 0, until)));
  },
};
