/**
 * `slow-reader`: a client sends a large payload and reads its echo slowly, in small chunks, with a
 * small receive buffer. The server's writes go partial; while its output is pending the client
 * keeps sending, the fd stays readable, and every wake-up ends in a write that fails with EAGAIN:
 * the spin. No byte is lost: the client verifies the whole echo.
 */
import echoHandler from '../../handlers/echo';
import { int, join, pattern, type ScenarioDef, US } from './types';

export const slowReader: ScenarioDef = {
  name: 'slow-reader',
  summary: 'Echo of a large payload read slowly: partial writes and the EAGAIN spin, no byte lost.',
  params: [
    { name: 'payload', type: 'int', default: 131072, min: 1, max: 16777216, doc: 'bytes sent and echoed' },
    {
      name: 'chunk',
      type: 'int',
      default: 2048,
      min: 1,
      max: 1048576,
      doc: 'bytes the client reads at a time',
    },
    {
      name: 'readGapUs',
      type: 'int',
      default: 20,
      min: 1,
      max: 1000000,
      doc: 'pause between client reads, us',
    },
    {
      name: 'clientRcvbuf',
      type: 'int',
      default: 4096,
      min: 1024,
      max: 4194304,
      doc: "client's receive buffer",
    },
    {
      name: 'idleMs',
      type: 'int',
      default: 20,
      min: 1,
      max: 60000,
      doc: 'client gives up after this long without data, ms',
    },
  ],
  build(p) {
    const size = int(p, 'payload');
    const chunk = int(p, 'chunk');
    const gap = int(p, 'readGapUs') * US;
    const rcvBuf = int(p, 'clientRcvbuf');
    const idle = int(p, 'idleMs') * 1e6;
    return {
      events: echoHandler(),
      start(ctx) {
        const c = ctx.client(0);
        ctx.spawn(
          'client 0',
          (function* () {
            const peer = c.connect(ctx.addr, { rcvBuf });
            if (peer.refused) return;
            const payload = pattern(size, 7);
            const parts: Uint8Array[] = [];
            let sent = 0;
            let got = 0;
            let end: string | null = null;
            let lastData = ctx.world.now;
            c.startRequest();
            while (got < size && end === null) {
              if (sent < size) {
                const n = c.send(peer, payload.subarray(sent));
                if (typeof n === 'string') end = n;
                else sent += n;
              }
              const want = Math.min(chunk, size - got);
              const r = c.recv(peer, want, got + Math.min(want, peer.available) >= size);
              if (r === null) end = 'unexpected end of stream';
              else if (typeof r === 'string') end = r;
              else {
                parts.push(r.slice());
                got += r.length;
                if (r.length > 0) lastData = ctx.world.now;
              }
              // Bytes lost on the server side never come: give up instead of waiting forever.
              if (end === null && ctx.world.now - lastData > idle) end = `no data for ${idle / 1e6} ms`;
              if (got < size && end === null) yield { sleep: gap };
            }
            c.verify(join(...parts), payload);
            c.close(peer, end);
          })(),
          10 * US,
        );
      },
    };
  },
};
