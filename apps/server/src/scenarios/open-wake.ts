/**
 * `open-wake`: connections that stay idle after connecting. evio registers a new fd for IN|OUT;
 * it is writable at once, so the loop wakes immediately, runs Opened (which returns nothing) and
 * MODs the fd to IN. Registering write interest with nothing to send would wake it forever.
 */
import { sleep } from './herd';
import { durationParam, num, withClient } from './kit';
import type { Scenario } from './scenario';

export const openWake: Scenario = {
  name: 'open-wake',
  title: 'Idle wake at open',
  description:
    'An idle connection: the IN|OUT registration wakes the loop at once to run Opened, then MOD IN.',
  params: [
    {
      name: 'connections',
      min: 1,
      max: 16,
      default: 1,
      unit: 'connections',
      description: 'Clients, one after another.',
    },
    {
      name: 'holdMs',
      min: 0,
      max: 5000,
      default: 50,
      unit: 'ms',
      description: 'How long each client stays idle.',
    },
    durationParam(10),
  ],
  handler: () => ({ name: 'scenarios/open-wake' }),
  port: () => 0,
  maxDurationMs: (p) => Number(p.duration) * 1000,
  async run(ctx) {
    for (let id = 0; id < num(ctx, 'connections') && !ctx.signal.aborted; id++) {
      await withClient(ctx, id, async (client) => {
        await sleep(num(ctx, 'holdMs'), ctx.signal);
        await client.close(ctx.signal);
      });
    }
  },
};
