/**
 * `LinuxKernel`: the core's `Kernel` on real Linux syscalls (one instance per loop thread).
 *
 * Every method is one syscall (two for `setNonblock`, three for `setKeepAlive`), returns `-errno`
 * on failure and allocates nothing on the request path: the epoll event buffer, the `epoll_ctl`
 * event, the eventfd counter and the sockaddr buffers are allocated once per kernel. Only
 * `accept` (the peer's address text), `recvfrom` (the peer's sockaddr), a write that starts
 * inside a buffer (a `subarray`, measured cheaper than address arithmetic with koffi) and
 * `detach` allocate.
 *
 * `syscalls` counts every syscall made through this kernel (a plain integer increment: cheap
 * enough to stay on with tracing off) and `dataReads` the conn reads that returned bytes, so a
 * host can report syscalls per request without a trace.
 */
import type { AcceptedPeer, DatagramPeer, DetachedConn, Kernel } from '../core/kernel';
import { monotonicNowNs } from './clock';
import { allocEvents, decodeEvents, encodeEvent } from './epoll-abi';
import { K, libc } from './libc';
import { formatSockaddr, SOCKADDR_MAX } from './sockaddr';

/** The `epoll_ctl` op number (compares, not a keyed lookup: that was a megamorphic load per call). */
const ctlOp = (op: 'add' | 'mod' | 'del'): number =>
  op === 'mod' ? K.EPOLL_CTL_MOD : op === 'add' ? K.EPOLL_CTL_ADD : K.EPOLL_CTL_DEL;
const EINTR = -4;

/** The core's kernel interface over real syscalls. */
export class LinuxKernel implements Kernel {
  /** The result of the last `fcntl(F_GETFL)` made by `setNonblock` (the loop traces it). */
  lastGetfl = 0;
  /** The fd of the last eventfd this kernel created (the host wakes the loop through it). */
  lastEventfd = -1;
  /** Number of syscalls `setNonblock` makes: F_GETFL then F_SETFL, as Go does. */
  readonly setNonblockSyscalls = 2;
  /** Syscalls made through this kernel so far. */
  syscalls = 0;
  /** `read` calls that returned at least one byte (requests, as the trace stats count them). */
  dataReads = 0;

  private events: Buffer;
  private readonly ctlEvent = Buffer.alloc(16);
  private readonly counter = Buffer.alloc(8);
  private readonly one = Buffer.alloc(8);
  private readonly sa = Buffer.alloc(SOCKADDR_MAX);
  private readonly saLen = new Uint32Array(1);
  /** What `now()` last returned, and the syscall count then (`stamp`). */
  private stampNs = 0;
  private stampSyscalls = -1;

  /**
   * @param baseNs monotonic ns (see `monotonicNowNs`) at which the trace started.
   * @param waitFlag if given, slot `waitSlot` is 1 while this kernel is blocked in epoll_wait
   *   (the host's trace merger uses it to know the loop cannot emit anything older).
   */
  constructor(
    private readonly baseNs = 0,
    private readonly waitFlag: Int32Array | null = null,
    private readonly waitSlot = 0,
  ) {
    this.events = allocEvents(64);
    this.one.writeUInt32LE(1, 0);
  }

  now(): number {
    const t = Math.round(monotonicNowNs() - this.baseNs); // the trace counts whole nanoseconds
    this.stampNs = t;
    this.stampSyscalls = this.syscalls;
    return t;
  }

  stamp(): number {
    return this.syscalls === this.stampSyscalls ? this.stampNs : this.now();
  }

  busy(ns: number): void {
    const end = monotonicNowNs() + ns;
    while (monotonicNowNs() < end) {
      // Spinning on purpose: a slow handler holds its loop thread.
    }
  }

  pollCreate(): number {
    this.syscalls++;
    return libc.epollCreate1(0);
  }

  pollCtl(epfd: number, op: 'add' | 'mod' | 'del', fd: number, mask: number): number {
    encodeEvent(this.ctlEvent, mask, fd);
    this.syscalls++;
    return libc.epollCtl(epfd, ctlOp(op), fd, this.ctlEvent);
  }

  pollWait(epfd: number, fds: Int32Array, masks: Uint32Array, timeoutMs: number): number {
    const max = Math.min(fds.length, masks.length);
    if (this.events.length < max * 16) this.events = allocEvents(max);
    const flag = this.waitFlag;
    if (flag) Atomics.store(flag, this.waitSlot, 1);
    this.syscalls++;
    const n = libc.epollWait(epfd, this.events, max, timeoutMs);
    if (flag) Atomics.store(flag, this.waitSlot, 0);
    if (n > 0) decodeEvents(this.events, n, fds, masks);
    return n;
  }

  eventfdCreate(): number {
    // evio: eventfd2(0, 0), a blocking counter.
    this.syscalls++;
    const fd = libc.eventfd(0, 0);
    if (fd >= 0) this.lastEventfd = fd;
    return fd;
  }

  eventfdWrite(fd: number): number {
    this.syscalls++;
    const r = libc.write(fd, this.one, 8);
    return Math.min(r, 0);
  }

  eventfdRead(fd: number): number {
    this.syscalls++;
    const r = libc.read(fd, this.counter, 8);
    return Math.min(r, 0);
  }

  accept(listenerFd: number, peer: AcceptedPeer): number {
    this.saLen[0] = SOCKADDR_MAX;
    this.syscalls++;
    const fd = libc.accept4(listenerFd, this.sa, this.saLen, 0);
    if (fd >= 0) peer.remote = formatSockaddr(this.sa, this.saLen[0]!);
    return fd;
  }

  setNonblock(fd: number): number {
    const flags = libc.fcntl(fd, K.F_GETFL, 0);
    this.syscalls++;
    this.lastGetfl = flags;
    if (flags < 0) return flags;
    this.syscalls++;
    const r = libc.fcntl(fd, K.F_SETFL, flags | K.O_NONBLOCK);
    return Math.min(r, 0);
  }

  read(fd: number, buf: Uint8Array): number {
    this.syscalls++;
    const n = libc.read(fd, buf, buf.length);
    if (n > 0) this.dataReads++;
    return n;
  }

  write(fd: number, buf: Uint8Array, off: number, len: number): number {
    this.syscalls++;
    if (off === 0) return libc.write(fd, buf, Math.min(len, buf.length));
    return libc.write(fd, buf.subarray(off, off + len), len);
  }

  recvfrom(fd: number, buf: Uint8Array, from: { peer: DatagramPeer; remote: string }): number {
    this.saLen[0] = SOCKADDR_MAX;
    this.syscalls++;
    const n = libc.recvfrom(fd, buf, buf.length, 0, this.sa, this.saLen);
    if (n >= 0) {
      const len = this.saLen[0]!;
      from.peer = Buffer.from(this.sa.subarray(0, len));
      from.remote = formatSockaddr(this.sa, len);
    }
    return n;
  }

  sendto(fd: number, buf: Uint8Array, len: number, to: DatagramPeer): number {
    if (!(to instanceof Uint8Array)) return -22;
    this.syscalls++;
    return libc.sendto(fd, buf, Math.min(len, buf.length), 0, to, to.length);
  }

  setKeepAlive(fd: number, secs: number): number {
    const v = new Int32Array([1]);
    const a = libc.setsockopt(fd, K.SOL_SOCKET, K.SO_KEEPALIVE, v, 4);
    this.syscalls++;
    if (a < 0) return a;
    this.syscalls += 2;
    v[0] = secs;
    // evio sets the interval first, then the idle time; errors after SO_KEEPALIVE are reported.
    const b = libc.setsockopt(fd, K.IPPROTO_TCP, K.TCP_KEEPINTVL, v, 4);
    const c = libc.setsockopt(fd, K.IPPROTO_TCP, K.TCP_KEEPIDLE, v, 4);
    return b < 0 ? b : Math.min(c, 0);
  }

  detach(fd: number): DetachedConn {
    const flags = libc.fcntl(fd, K.F_GETFL, 0);
    this.syscalls += flags >= 0 ? 2 : 1;
    if (flags >= 0) libc.fcntl(fd, K.F_SETFL, flags & ~K.O_NONBLOCK);
    return new BlockingConn(fd);
  }

  close(fd: number): number {
    this.syscalls++;
    return libc.close(fd);
  }
}

/** evio's detached conn: blocking read/write on the raw fd. */
class BlockingConn implements DetachedConn {
  constructor(private fdNum: number) {}

  get fd(): number {
    return this.fdNum;
  }

  read(buf: Uint8Array): number {
    let n = libc.read(this.fdNum, buf, buf.length);
    while (n === EINTR) n = libc.read(this.fdNum, buf, buf.length);
    return n;
  }

  write(buf: Uint8Array): number {
    let off = 0;
    while (off < buf.length) {
      const n = libc.write(this.fdNum, off === 0 ? buf : buf.subarray(off), buf.length - off);
      if (n === EINTR) continue;
      if (n < 0) return n;
      off += n;
    }
    return buf.length;
  }

  close(): void {
    if (this.fdNum >= 0) libc.close(this.fdNum);
    this.fdNum = -1;
  }
}
