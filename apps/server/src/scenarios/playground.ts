/**
 * `playground`: the engine listens on a loopback port with a chosen handler and the page shows
 * whatever connects by hand (`nc`, `curl`, `redis-cli`), until stopped or its duration bound.
 */
import { sleep } from './herd';
import type { HandlerName, Scenario } from './scenario';

const HANDLERS: readonly HandlerName[] = ['echo', 'http', 'redis'];

const HOW: Record<HandlerName, (port: number) => string> = {
  echo: (port) => `nc 127.0.0.1 ${port}`,
  http: (port) => `curl http://127.0.0.1:${port}/`,
  redis: (port) => `redis-cli -p ${port} ping`,
};

export const playground: Scenario = {
  name: 'playground',
  title: 'Playground',
  description: 'The engine listens on a loopback port: connect to it by hand with nc, curl or redis-cli.',
  params: [
    {
      name: 'handler',
      min: null,
      max: null,
      default: 'echo',
      unit: null,
      values: HANDLERS,
      description: 'What the loops answer: echo, a tiny HTTP server, or a tiny Redis (PING/SET/GET).',
    },
    {
      name: 'port',
      min: 0,
      max: 65535,
      default: 0,
      unit: 'port',
      description: 'Loopback port; 0 picks a free one.',
    },
    {
      name: 'duration',
      min: 1,
      max: 300,
      default: 120,
      unit: 's',
      description: 'The run stops after this long (typing by hand takes time; nothing here generates load).',
    },
  ],
  handler: (p) => ({ name: p.handler as HandlerName }),
  port: (p) => Number(p.port),
  maxDurationMs: (p) => Number(p.duration) * 1000,
  async run(ctx) {
    const how = HOW[ctx.params.handler as HandlerName](ctx.address.port);
    ctx.trace.emit({
      kind: 'mark',
      text: `playground on ${ctx.address.host}:${ctx.address.port}: try ${how}`,
    });
    // Waits for the stop button or the duration bound; the run manager aborts the signal for both.
    await sleep(2 ** 31 - 1, ctx.signal);
  },
};
