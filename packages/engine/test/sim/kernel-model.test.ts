import { EV } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/core/kernel';
import type { SimEpoll } from '../../src/sim/epoll';
import { SimKernel } from '../../src/sim/sim-kernel';
import { SimWorld } from '../../src/sim/world';

const ADDR = '127.0.0.1:7000';

/** A world, a kernel view, a listener and one accepted connection. */
function setup(opts: { sndBuf?: number; clientRcv?: number } = {}) {
  const world = new SimWorld({ seed: 1, sndBuf: opts.sndBuf ?? 4096, rcvBuf: 8192 });
  const k = new SimKernel(world, 0);
  const lfd = world.listen(ADDR);
  const peer = world.connect(ADDR, { rcvBuf: opts.clientRcv ?? 8192 });
  const info = { remote: '' };
  const fd = k.accept(lfd, info);
  return { world, k, lfd, peer, fd, info };
}

function waitOnce(k: SimKernel, epfd: number, max = 8): [number, number][] {
  const fds = new Int32Array(max);
  const masks = new Uint32Array(max);
  const n = k.pollWait(epfd, fds, masks, 0);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push([fds[i]!, masks[i]!]);
  return out;
}

describe('stream sockets', () => {
  it('a write takes min(len, peer receive space + own send space), then EAGAIN', () => {
    const { k, fd, peer, info } = setup({ sndBuf: 4096, clientRcv: 8192 });
    expect(fd).toBe(4);
    expect(info.remote).toBe(peer.addr);
    const big = new Uint8Array(20000);
    expect(k.write(fd, big, 0, big.length)).toBe(8192 + 4096);
    expect(k.write(fd, big, 0, big.length)).toBe(-ERRNO.EAGAIN);
    const got = peer.recv(1000);
    expect(got).toBeInstanceOf(Uint8Array);
    expect((got as Uint8Array).length).toBe(1000);
    // The reader made room for 1000 more bytes.
    expect(k.write(fd, big, 0, big.length)).toBe(1000);
    expect(peer.available).toBe(8192);
  });

  it('reads take what is there, EAGAIN when empty, 0 after the peer closed', () => {
    const { k, fd, peer } = setup();
    const buf = new Uint8Array(100);
    expect(k.read(fd, buf)).toBe(-ERRNO.EAGAIN);
    expect(peer.send(new Uint8Array([1, 2, 3]))).toBe(3);
    expect(k.read(fd, buf)).toBe(3);
    expect([...buf.subarray(0, 3)]).toEqual([1, 2, 3]);
    peer.close();
    expect(k.read(fd, buf)).toBe(0);
  });

  it('close with unread input resets the peer (ECONNRESET); a write after the peer closed is EPIPE', () => {
    const a = setup();
    a.peer.send(new Uint8Array(10));
    a.k.write(a.fd, new Uint8Array([9]), 0, 1);
    a.k.close(a.fd);
    expect(a.peer.wasReset).toBe(true);
    expect((a.peer.recv(10) as Uint8Array).length).toBe(1);
    expect(a.peer.recv(10)).toBe('ECONNRESET');
    expect(a.peer.recv(10)).toBe(null);

    const b = setup();
    b.peer.close();
    expect(b.k.write(b.fd, new Uint8Array(5), 0, 5)).toBe(-ERRNO.EPIPE);
  });

  it('a clean close delivers the queued bytes, then end of stream', () => {
    const { k, fd, peer } = setup({ sndBuf: 4096, clientRcv: 1024 });
    expect(k.write(fd, new Uint8Array(3000), 0, 3000)).toBe(3000);
    k.close(fd);
    let total = 0;
    for (;;) {
      const r = peer.recv(512);
      if (r === null) break;
      expect(r).toBeInstanceOf(Uint8Array);
      total += (r as Uint8Array).length;
    }
    expect(total).toBe(3000);
    expect(peer.eof).toBe(true);
  });
});

describe('fd table', () => {
  it('hands out the lowest free fd, so numbers are reused after close', () => {
    const world = new SimWorld({ seed: 1 });
    const k = new SimKernel(world, 0);
    const lfd = world.listen(ADDR);
    world.connect(ADDR);
    world.connect(ADDR);
    const info = { remote: '' };
    const a = k.accept(lfd, info);
    const b = k.accept(lfd, info);
    expect([lfd, a, b]).toEqual([3, 4, 5]);
    expect(k.close(a)).toBe(0);
    expect(k.close(a)).toBe(-ERRNO.EBADF);
    world.connect(ADDR);
    expect(k.accept(lfd, info)).toBe(4);
    expect(k.accept(lfd, info)).toBe(-ERRNO.EAGAIN);
  });
});

describe('epoll', () => {
  it('level-triggered reports while ready; edge-triggered only after a new change', () => {
    for (const et of [false, true]) {
      const { k, fd, peer } = setup();
      const ep = k.pollCreate();
      expect(k.pollCtl(ep, 'add', fd, EV.IN | (et ? EV.ET : 0))).toBe(0);
      expect(waitOnce(k, ep)).toEqual([]);
      peer.send(new Uint8Array(10));
      expect(waitOnce(k, ep)).toEqual([[fd, EV.IN]]);
      expect(waitOnce(k, ep)).toEqual(et ? [] : [[fd, EV.IN]]);
      peer.send(new Uint8Array(10));
      expect(waitOnce(k, ep)).toEqual([[fd, EV.IN]]);
      k.read(fd, new Uint8Array(100));
      expect(waitOnce(k, ep)).toEqual([]);
    }
  });

  it('a socket registered IN|OUT is ready at once (writable), and MOD to IN silences it', () => {
    const { k, fd } = setup();
    const ep = k.pollCreate();
    k.pollCtl(ep, 'add', fd, EV.IN | EV.OUT);
    expect(waitOnce(k, ep)).toEqual([[fd, EV.OUT]]);
    expect(waitOnce(k, ep)).toEqual([[fd, EV.OUT]]);
    k.pollCtl(ep, 'mod', fd, EV.IN);
    expect(waitOnce(k, ep)).toEqual([]);
  });

  it('returns at most maxevents; the rest come first next time', () => {
    const world = new SimWorld({ seed: 1 });
    const k = new SimKernel(world, 0);
    const ep = k.pollCreate();
    const efds = [k.eventfdCreate(), k.eventfdCreate(), k.eventfdCreate()];
    for (const e of efds) k.pollCtl(ep, 'add', e, EV.IN);
    for (const e of efds) k.eventfdWrite(e);
    expect(waitOnce(k, ep, 2).map(([f]) => f)).toEqual([efds[0], efds[1]]);
    expect(waitOnce(k, ep, 2).map(([f]) => f)).toEqual([efds[2], efds[0]]);
    for (const e of efds) expect(k.eventfdRead(e)).toBe(0);
    expect(k.eventfdRead(efds[0]!)).toBe(-ERRNO.EAGAIN);
    expect(waitOnce(k, ep)).toEqual([]);
  });

  it('epoll_ctl errors: EEXIST, ENOENT, EBADF, EINVAL for MOD of an exclusive item', () => {
    const { k, fd, lfd } = setup();
    const ep = k.pollCreate();
    expect(k.pollCtl(ep, 'add', fd, EV.IN)).toBe(0);
    expect(k.pollCtl(ep, 'add', fd, EV.IN)).toBe(-ERRNO.EEXIST);
    expect(k.pollCtl(ep, 'mod', lfd, EV.IN)).toBe(-ERRNO.ENOENT);
    expect(k.pollCtl(ep, 'add', 99, EV.IN)).toBe(-ERRNO.EBADF);
    expect(k.pollCtl(ep, 'add', lfd, EV.IN | EV.EXCLUSIVE)).toBe(0);
    expect(k.pollCtl(ep, 'mod', lfd, EV.IN)).toBe(-ERRNO.EINVAL);
    expect(k.pollCtl(fd, 'add', lfd, EV.IN)).toBe(-ERRNO.EINVAL);
  });

  it('a closed fd leaves every interest list', () => {
    const { k, fd, peer } = setup();
    const ep = k.pollCreate();
    k.pollCtl(ep, 'add', fd, EV.IN);
    peer.send(new Uint8Array(1));
    k.close(fd);
    expect(waitOnce(k, ep)).toEqual([]);
  });
});

describe('shared listeners', () => {
  /** Three sleeping epolls watching one listener; returns how many a new connection wakes. */
  function woken(exclusive: boolean): number {
    const world = new SimWorld({ seed: 3 });
    const k = new SimKernel(world, 0);
    const lfd = world.listen(ADDR);
    const eps = [0, 1, 2].map(() => {
      const epfd = k.pollCreate();
      k.pollCtl(epfd, 'add', lfd, EV.IN | (exclusive ? EV.EXCLUSIVE : 0));
      const ep = world.fds.get(epfd) as SimEpoll;
      ep.sleeping = true;
      return ep;
    });
    world.connect(ADDR);
    return eps.filter((ep) => ep.wakeAt !== null && ep.hasEvents()).length;
  }

  it('wakes every waiter without EPOLLEXCLUSIVE, one with it', () => {
    expect(woken(false)).toBe(3);
    expect(woken(true)).toBe(1);
  });

  it('an exclusive wake-up goes to the next sleeping waiter when the first is busy', () => {
    const world = new SimWorld({ seed: 3 });
    const k = new SimKernel(world, 0);
    const lfd = world.listen(ADDR);
    const eps = [0, 1].map(() => {
      const epfd = k.pollCreate();
      k.pollCtl(epfd, 'add', lfd, EV.IN | EV.EXCLUSIVE);
      return world.fds.get(epfd) as SimEpoll;
    });
    eps[1]!.sleeping = true;
    world.connect(ADDR);
    expect(eps[0]!.wakeAt).toBe(null);
    expect(eps[1]!.wakeAt).not.toBe(null);
    // The busy one still finds it on its ready list at its next wait.
    expect(eps[0]!.hasEvents()).toBe(true);
  });

  it('SO_REUSEPORT spreads connections over the group by a seeded choice', () => {
    const world = new SimWorld({ seed: 5 });
    const fds = [0, 1, 2, 3].map(() => world.listen(ADDR, { reuseport: true }));
    for (let i = 0; i < 200; i++) world.connect(ADDR);
    const counts = world.listenersAt(ADDR).map((l) => l.queue.length);
    expect(fds).toEqual([3, 4, 5, 6]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
    for (const c of counts) expect(c).toBeGreaterThan(20);
    expect(() => world.listen(ADDR)).toThrow(/already in use/);
  });

  it('a full backlog keeps the handshake waiting until an accept makes room', () => {
    const world = new SimWorld({ seed: 1 });
    const k = new SimKernel(world, 0);
    const lfd = world.listen(ADDR, { backlog: 1 });
    const a = world.connect(ADDR);
    const b = world.connect(ADDR);
    expect([a.connected, b.connected]).toEqual([true, false]);
    expect(k.accept(lfd, { remote: '' })).toBeGreaterThan(0);
    expect(b.connected).toBe(true);
    expect(world.connect('127.0.0.1:1').refused).toBe('ECONNREFUSED');
  });
});

describe('udp and the clock', () => {
  it('delivers datagrams both ways', () => {
    const world = new SimWorld({ seed: 1 });
    const k = new SimKernel(world, 0);
    const fd = world.bindUdp(ADDR);
    const peer = world.udpPeer(ADDR);
    peer.send(new Uint8Array([1, 2, 3, 4]));
    const buf = new Uint8Array(2);
    const from = { peer: null as unknown, remote: '' };
    expect(k.recvfrom(fd, buf, from)).toBe(2);
    expect(from.remote).toBe(peer.addr);
    expect(k.recvfrom(fd, buf, from)).toBe(-ERRNO.EAGAIN);
    expect(k.sendto(fd, new Uint8Array([7]), 1, from.peer)).toBe(1);
    expect([...(peer.recv() ?? [])]).toEqual([7]);
  });

  it('every syscall costs virtual time; busy advances the clock', () => {
    const world = new SimWorld({ seed: 1, syscallNs: 1000 });
    const k = new SimKernel(world, 0);
    k.pollCreate();
    k.eventfdCreate();
    expect(k.now()).toBe(2000);
    k.busy(5_000_000);
    expect(k.now()).toBe(5_002_000);
  });
});
