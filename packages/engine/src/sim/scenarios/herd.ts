/**
 * `herd`: M connections made one after another (each stays open until the end) to a server of
 * N loops: in `evio` mode every connection wakes every loop; `exclusive` and `reuseport` wake one.
 * `open-wake`: one connection, idle after open: the IN|OUT registration wakes the loop at once.
 */
import echoHandler from '../../handlers/echo';
import openWakeHandler from '../../handlers/scenarios/open-wake';
import { recvBytes, sendAll } from '../client';
import type { SimPeer } from '../peer';
import { int, pattern, type ScenarioDef, US } from './types';

export const herd: ScenarioDef = {
  name: 'herd',
  summary: 'Sequential connections to N loops: how many loops wake up for each accept.',
  params: [
    { name: 'conns', type: 'int', default: 6, min: 1, max: 500, doc: 'connections, one after another' },
    { name: 'gapUs', type: 'int', default: 200, min: 1, max: 1000000, doc: 'time between connections, us' },
    {
      name: 'bytes',
      type: 'int',
      default: 0,
      min: 0,
      max: 65536,
      doc: 'each client sends this many bytes once connected and checks the echo (0: none)',
    },
  ],
  build(p) {
    const conns = int(p, 'conns');
    const gap = int(p, 'gapUs') * US;
    const bytes = int(p, 'bytes');
    return {
      events: echoHandler(),
      start(ctx) {
        ctx.spawn(
          'clients',
          (function* () {
            const open: [number, SimPeer][] = [];
            for (let id = 0; id < conns; id++) {
              const c = ctx.client(id);
              const peer = c.connect(ctx.addr);
              if (!peer.refused) {
                open.push([id, peer]);
                if (bytes > 0) {
                  const msg = pattern(bytes, id);
                  c.startRequest();
                  if ((yield* sendAll(c, peer, msg)) === null)
                    c.verify((yield* recvBytes(c, peer, bytes)).bytes, msg);
                }
              }
              yield { sleep: gap };
            }
            for (const [id, peer] of open) {
              ctx.client(id).close(peer);
              yield { sleep: gap };
            }
          })(),
          10 * US,
        );
      },
    };
  },
};

export const openWake: ScenarioDef = {
  name: 'open-wake',
  summary:
    'One idle connection: the wake-up right after accept (IN|OUT registered) runs Opened, then MOD IN.',
  params: [
    {
      name: 'holdUs',
      type: 'int',
      default: 1000,
      min: 1,
      max: 10000000,
      doc: 'how long the client stays idle, us',
    },
  ],
  build(p) {
    const hold = int(p, 'holdUs') * US;
    return {
      events: openWakeHandler(),
      start(ctx) {
        const c = ctx.client(0);
        ctx.spawn(
          'client 0',
          (function* () {
            const peer = c.connect(ctx.addr);
            if (peer.refused) return;
            yield { sleep: hold };
            c.close(peer);
          })(),
          10 * US,
        );
      },
    };
  },
};
