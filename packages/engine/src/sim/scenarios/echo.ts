/** `echo`: N clients each send K messages of S bytes, one at a time, and verify every echo. */
import echoHandler from '../../handlers/echo';
import { recvBytes, sendAll } from '../client';
import { int, pattern, type ScenarioDef, US } from './types';

export const echo: ScenarioDef = {
  name: 'echo',
  summary: 'Request/response echo: MOD IN <-> IN|OUT around every reply, byte-verified by each client.',
  params: [
    { name: 'clients', type: 'int', default: 1, min: 1, max: 64, doc: 'concurrent clients' },
    { name: 'messages', type: 'int', default: 5, min: 1, max: 1000, doc: 'messages per client' },
    { name: 'size', type: 'int', default: 64, min: 1, max: 1048576, doc: 'bytes per message' },
    { name: 'thinkUs', type: 'int', default: 50, min: 0, max: 1000000, doc: 'pause between messages, us' },
  ],
  build(p) {
    const clients = int(p, 'clients');
    const messages = int(p, 'messages');
    const size = int(p, 'size');
    const think = int(p, 'thinkUs') * US;
    return {
      events: echoHandler(),
      start(ctx) {
        for (let id = 0; id < clients; id++) {
          const c = ctx.client(id);
          ctx.spawn(
            `client ${id}`,
            (function* () {
              const peer = c.connect(ctx.addr);
              if (peer.refused) return;
              for (let k = 0; k < messages; k++) {
                const msg = pattern(size, id * 1000 + k);
                c.startRequest();
                const err = yield* sendAll(c, peer, msg);
                if (err) return c.close(peer, err);
                const got = yield* recvBytes(c, peer, size);
                c.verify(got.bytes, msg);
                if (got.end) return c.close(peer, got.end === 'eof' ? 'unexpected end of stream' : got.end);
                if (think > 0) yield { sleep: think };
              }
              c.close(peer);
            })(),
            id * US,
          );
        }
      },
    };
  },
};
