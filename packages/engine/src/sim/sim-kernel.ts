/**
 * `Kernel` over the simulated world: one instance per loop, all sharing one `SimWorld`.
 * Each call costs `syscallNs` of virtual time (plus a copy cost for read/write) and returns
 * Linux errno values, so the loop core cannot tell it from the real kernel.
 * `pollWait` never blocks: the scheduler only calls it when the wait would return.
 */
import { type AcceptedPeer, type DatagramPeer, type DetachedConn, ERRNO, type Kernel } from '../core/kernel';
import { SimEpoll } from './epoll';
import { SimEventfd } from './eventfd';
import type { SimFile } from './file';
import { SimListener } from './listener';
import { StreamEnd } from './stream';
import { SimDatagramPeer, SimUdpSocket } from './udp';
import type { SimWorld } from './world';

export class SimKernel implements Kernel {
  constructor(
    readonly world: SimWorld,
    /** The loop this view belongs to (-1: the server's own thread). */
    readonly loop: number,
  ) {}

  now(): number {
    return this.world.now;
  }

  stamp(): number {
    return this.world.now;
  }

  busy(ns: number): void {
    this.world.advance(ns);
  }

  pollCreate(): number {
    this.world.charge();
    return this.world.fds.alloc(new SimEpoll(this.world));
  }

  pollCtl(epfd: number, op: 'add' | 'mod' | 'del', fd: number, mask: number): number {
    this.world.charge();
    const ep = this.world.fds.get(epfd);
    const file = this.world.fds.get(fd);
    if (!ep || !file) return -ERRNO.EBADF;
    if (!(ep instanceof SimEpoll)) return -ERRNO.EINVAL;
    return ep.ctl(op, fd, file, mask);
  }

  pollWait(epfd: number, fds: Int32Array, masks: Uint32Array, _timeoutMs: number): number {
    this.world.charge();
    const ep = this.world.fds.get(epfd);
    if (!ep) return -ERRNO.EBADF;
    if (!(ep instanceof SimEpoll) || fds.length === 0) return -ERRNO.EINVAL;
    ep.sleeping = false;
    ep.wakeAt = null;
    return ep.collect(fds, masks);
  }

  eventfdCreate(): number {
    this.world.charge();
    return this.world.fds.alloc(new SimEventfd());
  }

  eventfdWrite(fd: number): number {
    this.world.charge();
    const f = this.world.fds.get(fd);
    if (!f) return -ERRNO.EBADF;
    return f instanceof SimEventfd ? f.write() : -ERRNO.EINVAL;
  }

  eventfdRead(fd: number): number {
    this.world.charge();
    const f = this.world.fds.get(fd);
    if (!f) return -ERRNO.EBADF;
    return f instanceof SimEventfd ? f.read() : -ERRNO.EINVAL;
  }

  accept(listenerFd: number, peer: AcceptedPeer): number {
    this.world.charge();
    const ln = this.world.fds.get(listenerFd);
    if (!ln) return -ERRNO.EBADF;
    if (!(ln instanceof SimListener)) return -ERRNO.EINVAL;
    const end = ln.take();
    if (!end) return -ERRNO.EAGAIN;
    peer.remote = end.peer.addr;
    return this.world.fds.alloc(end);
  }

  setNonblock(fd: number): number {
    // evio reads the flags, then sets them: two syscalls.
    this.world.charge();
    this.world.charge();
    const f = this.world.fds.get(fd);
    if (!f) return -ERRNO.EBADF;
    if (f instanceof StreamEnd) f.nonblocking = true;
    return 0;
  }

  read(fd: number, buf: Uint8Array): number {
    const f = this.file(fd);
    if (!(f instanceof StreamEnd)) {
      this.world.charge();
      return f ? -ERRNO.EINVAL : -ERRNO.EBADF;
    }
    const n = f.read(buf, 0, buf.length);
    this.world.charge(Math.max(0, n));
    return n;
  }

  write(fd: number, buf: Uint8Array, off: number, len: number): number {
    const f = this.file(fd);
    if (!(f instanceof StreamEnd)) {
      this.world.charge();
      return f ? -ERRNO.EINVAL : -ERRNO.EBADF;
    }
    if (off < 0 || len < 0 || off + len > buf.length) return -ERRNO.EFAULT;
    const n = f.write(buf, off, len);
    this.world.charge(Math.max(0, n));
    return n;
  }

  recvfrom(fd: number, buf: Uint8Array, from: { peer: DatagramPeer; remote: string }): number {
    const f = this.file(fd);
    if (!(f instanceof SimUdpSocket)) {
      this.world.charge();
      return f ? -ERRNO.ENOTSOCK : -ERRNO.EBADF;
    }
    const n = f.recvfrom(buf, from);
    this.world.charge(Math.max(0, n));
    return n;
  }

  sendto(fd: number, buf: Uint8Array, len: number, to: DatagramPeer): number {
    this.world.charge(len);
    const f = this.file(fd);
    if (!f) return -ERRNO.EBADF;
    if (!(f instanceof SimUdpSocket)) return -ERRNO.ENOTSOCK;
    if (!(to instanceof SimDatagramPeer)) return -ERRNO.EINVAL;
    to.receive(buf.subarray(0, Math.min(len, buf.length)));
    return len;
  }

  setKeepAlive(fd: number, secs: number): number {
    this.world.charge();
    const f = this.file(fd);
    if (!(f instanceof StreamEnd)) return f ? -ERRNO.ENOTSOCK : -ERRNO.EBADF;
    // Linux refuses TCP_KEEPIDLE/TCP_KEEPINTVL of 0 (evio ignores the error).
    if (secs < 1) return -ERRNO.EINVAL;
    f.keepAliveSecs = secs;
    return 0;
  }

  detach(fd: number): DetachedConn {
    this.world.charge();
    const f = this.file(fd);
    if (f instanceof StreamEnd) f.nonblocking = false;
    return new SimDetachedConn(this, fd);
  }

  close(fd: number): number {
    this.world.charge();
    const f = this.world.fds.free(fd);
    if (!f) return -ERRNO.EBADF;
    // Closing the last reference removes the file from every epoll interest list.
    for (const item of [...f.waiters]) item.ep.remove(item);
    if (f instanceof StreamEnd) f.close();
    else if (f instanceof SimListener) {
      f.close();
      this.world.unbind(f);
    } else if (f instanceof SimUdpSocket) this.world.unbind(f);
    else if (f instanceof SimEpoll) for (const item of [...f.items.values()]) f.remove(item);
    return 0;
  }

  private file(fd: number): SimFile | undefined {
    return this.world.fds.get(fd);
  }
}

/**
 * The rwc of a detached conn. The simulator never blocks: `read` returns what is there
 * (-EAGAIN when nothing is); `write` writes what fits and, like evio's rwc, reports `buf.length`.
 */
class SimDetachedConn implements DetachedConn {
  constructor(
    private readonly k: SimKernel,
    readonly fd: number,
  ) {}

  read(buf: Uint8Array): number {
    return this.k.read(this.fd, buf);
  }

  write(buf: Uint8Array): number {
    let off = 0;
    while (off < buf.length) {
      const n = this.k.write(this.fd, buf, off, buf.length - off);
      if (n <= 0) break;
      off += n;
    }
    return buf.length;
  }

  close(): void {
    this.k.close(this.fd);
  }
}
