/**
 * evio fact (spec §2.7, §2.8, §2.11): a read or write error closes just that conn, with the errno
 * handed to Closed; the other conns keep working.
 */
import { describe, expect, it } from 'vitest';
import { connect, echoRounds } from './clients';
import { acceptOf, fixture, ofConn, ofKind, sharedBlob, sleep, traced, waitFor } from './facts-helpers';

describe('evio facts: connection errors', () => {
  it('ECONNRESET (read) and EPIPE (write) close just that conn, traced with the errno', async () => {
    const blob = sharedBlob(8 << 20);
    const { server, events } = await traced({
      numLoops: 1,
      handler: { module: fixture('facts-blob'), params: { blob: blob.sab } },
    });
    const other = await connect(server.addrs[0]!);
    expect(await echoRounds(other, 2, 10_000)).toBe(0);

    // ECONNRESET: an idle conn whose peer resets (SO_LINGER 0): the next read fails.
    const reset = await connect(server.addrs[0]!);
    const R = await acceptOf(events, reset);
    await waitFor(events, 'ctl', (e) => e.fd === R.fd && e.gen === R.gen && e.op === 'mod');
    reset.resetAndDestroy();
    await waitFor(events, 'close', (e) => e.fd === R.fd && e.gen === R.gen);

    // EPIPE: the peer half-closes (the server socket goes to CLOSE_WAIT; evio does not read while
    // output is pending, so it does not notice), then closes with unread input, which sends a
    // RST: in CLOSE_WAIT the kernel records EPIPE, and the next write fails with it.
    const pipe = await connect(server.addrs[0]!);
    pipe.on('error', () => {});
    const P = await acceptOf(events, pipe);
    pipe.pause();
    pipe.write('go');
    await waitFor(events, 'write', (e) => e.fd === P.fd && e.gen === P.gen && e.result === 'partial');
    pipe.end();
    await sleep(30);
    pipe.destroy();
    await waitFor(events, 'close', (e) => e.fd === P.fd && e.gen === P.gen);

    expect(await echoRounds(other, 2, 10_000)).toBe(0);
    other.destroy();
    await server.stop();

    const closeR = ofKind(ofConn(events, R.fd, R.gen), 'close');
    const readR = ofKind(ofConn(events, R.fd, R.gen), 'read').at(-1)!;
    expect(closeR).toMatchObject([{ reason: 'error', errno: 'ECONNRESET' }]);
    expect(readR).toMatchObject({ result: 'error', errno: 'ECONNRESET' });
    const closeP = ofKind(ofConn(events, P.fd, P.gen), 'close');
    const writeP = ofKind(ofConn(events, P.fd, P.gen), 'write').at(-1)!;
    expect(closeP).toMatchObject([{ reason: 'error', errno: 'EPIPE' }]);
    expect(closeP[0]!.discarded).toBeGreaterThan(0);
    expect(writeP).toMatchObject({ result: 'error', errno: 'EPIPE' });
    // Only those two closed with an error; the loop never stopped.
    expect(ofKind(events, 'close', (e) => e.reason === 'error')).toHaveLength(2);
    expect(ofKind(events, 'loop-stop').map((e) => e.reason)).toEqual(['shutdown']);
  });
});
