/**
 * `head-of-line`: one client's requests make `Data` burn `busyMs` (a slow handler); the other
 * clients ping. Their latency shows who waited behind it. The simulator has one virtual CPU, so
 * a busy loop delays the other loops too (on Linux the loops are threads on several cores and
 * only the slow loop's own connections wait): compare per-loop latencies on the real kernel.
 * `load`: many clients echo as fast as they can, to compare syscalls per request across modes.
 */
import echoHandler from '../../handlers/echo';
import headOfLineHandler from '../../handlers/scenarios/head-of-line';
import { recvBytes, sendAll } from '../client';
import { int, pattern, type ScenarioContext, type ScenarioDef, US } from './types';

const enc = new TextEncoder();

/** Client `id` sends `messages` messages, each after `think` ns, and verifies every echo. */
function pinger(
  ctx: ScenarioContext,
  id: number,
  messages: number,
  msgOf: (k: number) => Uint8Array,
  think: number,
) {
  const c = ctx.client(id);
  return (function* () {
    const peer = c.connect(ctx.addr);
    if (peer.refused) return;
    for (let k = 0; k < messages; k++) {
      if (think > 0) yield { sleep: think };
      const msg = msgOf(k);
      c.startRequest();
      const err = yield* sendAll(c, peer, msg);
      if (err) return c.close(peer, err);
      const got = yield* recvBytes(c, peer, msg.length);
      c.verify(got.bytes, msg);
      if (got.end) return c.close(peer, got.end === 'eof' ? 'unexpected end of stream' : got.end);
    }
    c.close(peer);
  })();
}

export const headOfLine: ScenarioDef = {
  name: 'head-of-line',
  summary: 'A slow Data handler delays the other connections of its loop.',
  params: [
    { name: 'clients', type: 'int', default: 4, min: 2, max: 32, doc: 'clients (client 0 is the slow one)' },
    { name: 'messages', type: 'int', default: 10, min: 1, max: 1000, doc: 'messages per client' },
    {
      name: 'busyMs',
      type: 'int',
      default: 5,
      min: 0,
      max: 1000,
      doc: 'time Data burns for a SLOW request, ms',
    },
    { name: 'gapUs', type: 'int', default: 2000, min: 1, max: 1000000, doc: 'pause between messages, us' },
  ],
  build(p) {
    const clients = int(p, 'clients');
    const messages = int(p, 'messages');
    const gap = int(p, 'gapUs') * US;
    return {
      events: headOfLineHandler({ busyMs: int(p, 'busyMs') }),
      start(ctx) {
        for (let id = 0; id < clients; id++) {
          const msgOf = (k: number) => enc.encode(`${id === 0 ? 'SLOW' : 'PING'} ${id} ${k}\n`);
          ctx.spawn(`client ${id}`, pinger(ctx, id, messages, msgOf, gap), 10 * US + id * US);
        }
      },
    };
  },
};

export const load: ScenarioDef = {
  name: 'load',
  summary: 'Many clients echo at full speed: syscalls and epoll_ctl per request in each mode.',
  params: [
    { name: 'clients', type: 'int', default: 8, min: 1, max: 64, doc: 'concurrent clients' },
    { name: 'messages', type: 'int', default: 100, min: 1, max: 10000, doc: 'messages per client' },
    { name: 'size', type: 'int', default: 64, min: 1, max: 65536, doc: 'bytes per message' },
  ],
  build(p) {
    const clients = int(p, 'clients');
    const messages = int(p, 'messages');
    const size = int(p, 'size');
    return {
      events: echoHandler(),
      start(ctx) {
        for (let id = 0; id < clients; id++) {
          const msgOf = (k: number) => pattern(size, id * 1000 + k);
          ctx.spawn(`client ${id}`, pinger(ctx, id, messages, msgOf, 0), 10 * US + id * US);
        }
      },
    };
  },
};
