/**
 * A connected stream socket as a pair of ends. Each end has a receive buffer and a send buffer
 * of chosen sizes. A write takes min(len, free space in the peer's receive buffer + own send
 * buffer): the bytes go straight into the peer's receive buffer while it has room, the rest wait
 * in the sender's send buffer and move over as the peer reads ("transmission" is instant).
 *
 * Ends: FIN when an end is closed with nothing unread (the peer reads what was sent, then 0);
 * RST when it is closed with unread input (its unsent bytes are dropped, the peer's next read
 * after its buffered data fails with ECONNRESET); EPIPE when writing to an end whose peer closed.
 */
import { EV } from '@loopscope/trace';
import { ERRNO } from '../core/kernel';
import { ByteQueue } from './byte-queue';
import type { EpollItem } from './epoll';
import { type SimFile, wakeUp } from './file';

/** The world an end lives in: the clock, for the readiness timestamps scenario clients wait on. */
export interface StreamHost {
  now(): number;
}

export class StreamEnd implements SimFile {
  readonly kind = 'stream';
  readonly waiters: EpollItem[] = [];
  readonly rcv = new ByteQueue();
  readonly snd = new ByteQueue();
  peer!: StreamEnd;
  /** close() was called on this end. */
  closed = false;
  /** A pending error (ECONNRESET after an RST): reported once, then the end is dead. */
  err = 0;
  /** An RST was received (or sent): no more data moves on this connection. */
  reset = false;
  nonblocking = false;
  keepAliveSecs = 0;
  /** When the end last became readable / writable (null while it is not). */
  inSince: number | null = null;
  outSince: number | null = null;

  constructor(
    private readonly host: StreamHost,
    readonly rcvCap: number,
    readonly sndCap: number,
    /** The address of this end as the other side sees it. */
    readonly addr: string,
  ) {}

  /** Makes two connected ends. */
  static pair(host: StreamHost, a: StreamOpts, b: StreamOpts): [StreamEnd, StreamEnd] {
    const x = new StreamEnd(host, a.rcvBuf, a.sndBuf, a.addr);
    const y = new StreamEnd(host, b.rcvBuf, b.sndBuf, b.addr);
    x.peer = y;
    y.peer = x;
    x.changed(0);
    y.changed(0);
    return [x, y];
  }

  /** The peer sent FIN and every byte before it is in our receive buffer. */
  get finReceived(): boolean {
    return this.peer.closed && !this.peer.reset && this.peer.snd.length === 0;
  }

  /** Bytes a write could take now. */
  get writeSpace(): number {
    if (this.peer.closed || this.reset) return 0;
    return this.sndCap - this.snd.length + (this.peer.rcvCap - this.peer.rcv.length);
  }

  poll(): number {
    let m = 0;
    const fin = this.finReceived;
    if (this.rcv.length > 0 || fin || this.reset) m |= EV.IN;
    if (fin || this.reset) m |= EV.RDHUP;
    // An end whose peer is gone is "writable": the write fails at once instead of blocking.
    if (this.writeSpace > 0 || this.peer.closed || this.reset) m |= EV.OUT;
    if (this.reset) m |= EV.ERR | EV.HUP;
    return m;
  }

  /** read(2) into `buf` at `off`: bytes, 0 at end of stream, or -errno. */
  read(buf: Uint8Array, off: number, max: number): number {
    if (max === 0) return 0;
    if (this.rcv.length > 0) {
      const n = this.rcv.takeInto(buf, off, max);
      this.pull();
      this.changed(0);
      return n;
    }
    if (this.err) return -this.takeErr();
    if (this.finReceived || this.reset) return 0;
    return -ERRNO.EAGAIN;
  }

  /** write(2) of `len` bytes of `buf` from `off`: bytes taken or -errno. */
  write(buf: Uint8Array, off: number, len: number): number {
    if (this.err) return -this.takeErr();
    if (this.peer.closed || this.reset) return -ERRNO.EPIPE;
    if (len === 0) return 0;
    const n = Math.min(len, this.writeSpace);
    if (n === 0) return -ERRNO.EAGAIN;
    this.snd.push(buf.subarray(off, off + n));
    this.push();
    this.changed(0);
    return n;
  }

  /** close(2): FIN, or RST if input is left unread. Returns the unsent bytes dropped by an RST. */
  close(): number {
    if (this.closed) return 0;
    this.closed = true;
    let dropped = 0;
    if ((this.rcv.length > 0 || this.peer.snd.length > 0) && !this.reset && !this.peer.closed) {
      dropped = this.snd.clear();
      this.rcv.clear();
      this.peer.snd.clear();
      this.reset = true;
      this.peer.reset = true;
      this.peer.err = ERRNO.ECONNRESET;
      this.peer.changed(EV.IN | EV.OUT | EV.ERR | EV.HUP);
    } else {
      this.rcv.clear();
      this.peer.changed(EV.IN | EV.RDHUP | EV.OUT);
    }
    this.changed(0);
    return dropped;
  }

  /** Closes with an RST whatever is unread (a listener closed with connections still queued). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.snd.clear();
    this.rcv.clear();
    if (!this.peer.closed) {
      this.peer.snd.clear();
      this.reset = true;
      this.peer.reset = true;
      this.peer.err = ERRNO.ECONNRESET;
      this.peer.changed(EV.IN | EV.OUT | EV.ERR | EV.HUP);
    }
    this.changed(0);
  }

  /** Moves bytes from our send buffer into the peer's receive buffer while it has room. */
  private push(): void {
    const room = this.peer.rcvCap - this.peer.rcv.length;
    if (this.snd.length === 0 || room <= 0 || this.peer.closed) return;
    this.peer.rcv.push(this.snd.take(room));
    this.peer.changed(EV.IN);
    if (this.closed && this.snd.length === 0) this.peer.changed(EV.IN | EV.RDHUP);
  }

  /** We read: the peer's queued bytes may move in, and the peer may write again. */
  private pull(): void {
    if (this.reset) return;
    const before = this.peer.snd.length;
    this.peer.push();
    if (before > 0 || !this.peer.closed) this.peer.changed(EV.OUT);
  }

  private takeErr(): number {
    const e = this.err;
    this.err = 0;
    return e;
  }

  /** Updates the readiness timestamps and wakes epoll watchers (`key` 0: nothing to announce). */
  changed(key: number): void {
    const m = this.poll();
    const now = this.host.now();
    if (m & EV.IN) this.inSince ??= now;
    else this.inSince = null;
    if (m & EV.OUT) this.outSince ??= now;
    else this.outSince = null;
    if (key !== 0 && (m & key) !== 0) wakeUp(this, key);
  }
}

/** Buffer sizes and the address of one end. */
export interface StreamOpts {
  rcvBuf: number;
  sndBuf: number;
  addr: string;
}
