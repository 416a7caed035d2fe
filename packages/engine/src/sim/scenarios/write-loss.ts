/**
 * The two "write loss" scenarios (spec §3), byte-verified by the client.
 *
 * `write-loss-claim`: a reply larger than the send buffer, then a second request arrives while
 * output is pending. evio's dispatch order writes first: 0 bytes lost (and the EAGAIN spin while
 * the request waits). `read-first` reads it and overwrites the pending tail: bytes lost.
 *
 * `wake-overwrite`: Data returns a big reply; an app goroutine calls `Conn.wake()` while output
 * is pending; Data(c, nil) returns new data. evio replaces the unsent tail (lost); `fixed-wake` appends.
 */
import type { Conn } from '../../core/api';
import wakeOverwriteHandler, { WAKE_TAIL, wakeReply } from '../../handlers/scenarios/wake-overwrite';
import writeLoss, { writeLossReplies } from '../../handlers/scenarios/write-loss';
import { recvBytes, sendAll } from '../client';
import { int, join, type ScenarioDef, US } from './types';

const enc = new TextEncoder();

export const writeLossClaim: ScenarioDef = {
  name: 'write-loss-claim',
  summary: 'A second request while a big reply is pending: evio loses nothing, read-first loses the tail.',
  params: [
    { name: 'reply', type: 'int', default: 65536, min: 1, max: 16777216, doc: 'bytes of the first reply' },
    { name: 'reply2', type: 'int', default: 4096, min: 1, max: 16777216, doc: 'bytes of the second reply' },
    {
      name: 'clientRcvbuf',
      type: 'int',
      default: 16384,
      min: 1024,
      max: 4194304,
      doc: "client's receive buffer",
    },
    {
      name: 'waitUs',
      type: 'int',
      default: 100,
      min: 1,
      max: 1000000,
      doc: 'client pause before each next step, us',
    },
  ],
  build(p) {
    const params = { reply: int(p, 'reply'), reply2: int(p, 'reply2') };
    const [r1, r2] = writeLossReplies(params);
    const wait = int(p, 'waitUs') * US;
    const rcvBuf = int(p, 'clientRcvbuf');
    return {
      events: writeLoss(params),
      start(ctx) {
        const c = ctx.client(0);
        ctx.spawn(
          'client 0',
          (function* () {
            const peer = c.connect(ctx.addr, { rcvBuf });
            if (peer.refused) return;
            c.startRequest();
            let err = yield* sendAll(c, peer, enc.encode('REQ1\n'));
            yield { sleep: wait };
            err ??= yield* sendAll(c, peer, enc.encode('REQ2\n'));
            yield { sleep: wait };
            const want = join(r1, r2);
            const got = yield* recvBytes(c, peer, Number.POSITIVE_INFINITY);
            c.verify(got.bytes, want);
            c.close(peer, err ?? (got.end === 'eof' ? null : got.end));
          })(),
          10 * US,
        );
      },
    };
  },
};

export const wakeOverwrite: ScenarioDef = {
  name: 'wake-overwrite',
  summary: 'Conn.wake() while a big reply is pending: evio replaces the unsent tail, fixed-wake appends.',
  params: [
    { name: 'reply', type: 'int', default: 65536, min: 1, max: 16777216, doc: 'bytes of the reply to GET' },
    {
      name: 'clientRcvbuf',
      type: 'int',
      default: 16384,
      min: 1024,
      max: 4194304,
      doc: "client's receive buffer",
    },
    {
      name: 'wakeAfterUs',
      type: 'int',
      default: 50,
      min: 1,
      max: 1000000,
      doc: 'when the app calls wake, us after GET',
    },
  ],
  build(p) {
    const params = { reply: int(p, 'reply') };
    const big = wakeReply(params);
    const tail = WAKE_TAIL;
    const handler = wakeOverwriteHandler(params);
    const wakeAfter = int(p, 'wakeAfterUs') * US;
    const rcvBuf = int(p, 'clientRcvbuf');
    let conn: Conn | null = null;
    return {
      events: {
        // The handler module's Data, plus what the app goroutine needs: the conn to wake.
        data(c, input) {
          if (input !== null) conn = c;
          return handler.data?.(c, input);
        },
      },
      start(ctx) {
        const c = ctx.client(0);
        ctx.spawn(
          'app',
          (function* () {
            while (!conn) yield { sleep: 5 * US };
            yield { sleep: wakeAfter };
            ctx.mark(`app goroutine: Conn.wake() on fd ${conn.fd}`);
            conn.wake();
          })(),
        );
        ctx.spawn(
          'client 0',
          (function* () {
            const peer = c.connect(ctx.addr, { rcvBuf });
            if (peer.refused) return;
            c.startRequest();
            const err = yield* sendAll(c, peer, enc.encode('GET\n'));
            yield { sleep: 2 * wakeAfter + 20 * US };
            const want = join(big, tail);
            const got = yield* recvBytes(c, peer, Number.POSITIVE_INFINITY);
            const bad = c.verify(got.bytes, want);
            if (bad > 0) ctx.mark(`client 0: ${want.length - got.bytes.length} bytes never arrived`);
            c.close(peer, err ?? (got.end === 'eof' ? null : got.end));
          })(),
          10 * US,
        );
      },
    };
  },
};
