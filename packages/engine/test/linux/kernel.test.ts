import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/core/kernel';
import type { ListenerSpec } from '../../src/core/loop-types';
import { LinuxKernel } from '../../src/linux/kernel';
import { K, libc } from '../../src/linux/libc';
import { closeListeners, listenAll } from '../../src/linux/listen';

const k = new LinuxKernel();
const open: number[] = [];
let listeners: ListenerSpec[] = [];
const clients: net.Socket[] = [];

afterEach(() => {
  for (const fd of open.splice(0)) libc.close(fd);
  closeListeners(listeners);
  listeners = [];
  for (const c of clients.splice(0)) c.destroy();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A listener, a node:net client connected to it, and the accepted (non-blocking) fd. */
async function pair(): Promise<{ fd: number; client: net.Socket; remote: string }> {
  listeners = listenAll(['tcp://127.0.0.1:0'], { loops: 1, perLoop: false });
  const ln = listeners[0]!;
  const peer = { remote: '' };
  expect(k.accept(ln.fd, peer)).toBe(-ERRNO.EAGAIN);
  const port = Number(ln.addr.split(':')[1]);
  const client = net.connect(port, '127.0.0.1');
  clients.push(client);
  await new Promise((r) => client.once('connect', r));
  let fd = -1;
  for (let i = 0; i < 100 && fd < 0; i++) {
    fd = k.accept(ln.fd, peer);
    if (fd < 0) await sleep(5);
  }
  expect(fd).toBeGreaterThan(0);
  open.push(fd);
  expect(k.setNonblock(fd)).toBe(0);
  expect(k.lastGetfl & K.O_NONBLOCK).toBe(0);
  return { fd, client, remote: peer.remote };
}

describe('LinuxKernel on real sockets', () => {
  it('accepts, reports the peer, reads EAGAIN then data, writes', async () => {
    const { fd, client, remote } = await pair();
    expect(remote).toBe(`127.0.0.1:${client.localPort}`);
    const buf = new Uint8Array(65535);
    expect(k.read(fd, buf)).toBe(-ERRNO.EAGAIN);
    client.write('hello');
    await sleep(20);
    expect(k.read(fd, buf)).toBe(5);
    expect(Buffer.from(buf.subarray(0, 5)).toString()).toBe('hello');
    const got = new Promise<string>((r) => client.once('data', (d) => r(d.toString())));
    const out = new TextEncoder().encode('xxworld');
    expect(k.write(fd, out, 2, 5)).toBe(5);
    expect(await got).toBe('world');
  });

  it('writes partially into a small SO_SNDBUF, then EAGAIN', async () => {
    const { fd, client } = await pair();
    client.pause();
    expect(libc.setsockopt(fd, K.SOL_SOCKET, K.SO_SNDBUF, new Int32Array([4096]), 4)).toBe(0);
    const big = new Uint8Array(8 << 20);
    const n = k.write(fd, big, 0, big.length);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(big.length);
    let r = k.write(fd, big, n, big.length - n);
    for (let i = 0; i < 100 && r > 0; i++) r = k.write(fd, big, 0, big.length);
    expect(r).toBe(-ERRNO.EAGAIN);
  });

  it('reads 0 at end of stream', async () => {
    const { fd, client } = await pair();
    client.end();
    await sleep(30);
    expect(k.read(fd, new Uint8Array(100))).toBe(0);
  });

  it('reports ECONNRESET on read and then EPIPE on write after a reset', async () => {
    const { fd, client } = await pair();
    client.resetAndDestroy();
    await sleep(30);
    expect(k.read(fd, new Uint8Array(100))).toBe(-ERRNO.ECONNRESET);
    expect(k.write(fd, new Uint8Array(10), 0, 10)).toBe(-ERRNO.EPIPE);
  });

  it('sets keep-alive, detaches into a blocking conn, and closes without retry', async () => {
    const { fd, client } = await pair();
    expect(k.setKeepAlive(fd, 300)).toBe(0);
    const v = new Int32Array(1);
    const len = new Uint32Array([4]);
    expect(libc.getsockopt(fd, K.IPPROTO_TCP, K.TCP_KEEPIDLE, v, len)).toBe(0);
    expect(v[0]).toBe(300);
    const rwc = k.detach(fd);
    expect(libc.fcntl(fd, K.F_GETFL, 0) & K.O_NONBLOCK).toBe(0);
    client.write('abc');
    const buf = new Uint8Array(10);
    expect(rwc.read(buf)).toBe(3);
    const got = new Promise<string>((r) => client.once('data', (d) => r(d.toString())));
    expect(rwc.write(new TextEncoder().encode('ok'))).toBe(2);
    expect(await got).toBe('ok');
    rwc.close();
    open.splice(open.indexOf(fd), 1);
    expect(rwc.fd).toBe(-1);
    expect(k.close(fd)).toBe(-ERRNO.EBADF);
  });

  it('wakes through the eventfd and reports a bad fd as -EBADF', () => {
    const ev = k.eventfdCreate();
    open.push(ev);
    expect(k.lastEventfd).toBe(ev);
    expect(k.eventfdWrite(ev)).toBe(0);
    expect(k.eventfdRead(ev)).toBe(0);
    expect(k.pollCtl(ev, 'add', ev, 1)).toBe(-ERRNO.EINVAL);
    expect(k.read(1 << 20, new Uint8Array(1))).toBe(-ERRNO.EBADF);
  });

  it('receives a datagram with its peer and sends the reply back', async () => {
    listeners = listenAll(['udp://127.0.0.1:0'], { loops: 1, perLoop: false });
    const ln = listeners[0]!;
    const from: { peer: unknown; remote: string } = { peer: null, remote: '' };
    const buf = new Uint8Array(65535);
    expect(k.recvfrom(ln.fd, buf, from)).toBe(-ERRNO.EAGAIN);
    const client = dgram.createSocket('udp4');
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
    const reply = new Promise<string>((r) => client.once('message', (m) => r(m.toString())));
    client.send('ping', Number(ln.addr.split(':')[1]), '127.0.0.1');
    let n = -1;
    for (let i = 0; i < 100 && n < 0; i++) {
      n = k.recvfrom(ln.fd, buf, from);
      if (n < 0) await sleep(5);
    }
    expect(n).toBe(4);
    expect(from.remote).toBe(`127.0.0.1:${client.address().port}`);
    expect(k.sendto(ln.fd, new TextEncoder().encode('pong!'), 4, from.peer)).toBe(4);
    expect(await reply).toBe('pong');
    expect(k.sendto(ln.fd, buf, 1, 'not a peer')).toBe(-ERRNO.EINVAL);
    client.close();
  });

  it('keeps one monotonic clock and spins in busy', () => {
    const a = k.now();
    k.busy(2e6);
    const b = k.now();
    expect(b - a).toBeGreaterThanOrEqual(2e6);
    expect(Math.abs(b - Number(process.hrtime.bigint()))).toBeLessThan(5e6);
  });
});
