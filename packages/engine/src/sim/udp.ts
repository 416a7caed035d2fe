/**
 * UDP: a bound socket with a queue of datagrams (bounded by its receive buffer in bytes; a
 * datagram that does not fit is dropped, as Linux does), and scenario-side datagram peers.
 */
import { EV } from '@loopscope/trace';
import { ERRNO } from '../core/kernel';
import type { EpollItem } from './epoll';
import { type SimFile, wakeUp } from './file';

/** A datagram with the peer that sent it. */
interface Datagram {
  from: SimDatagramPeer;
  bytes: Uint8Array;
}

export class SimUdpSocket implements SimFile {
  readonly kind = 'udp';
  readonly waiters: EpollItem[] = [];
  private readonly queue: Datagram[] = [];
  private queued = 0;
  /** Datagrams dropped because the receive buffer was full. */
  dropped = 0;

  constructor(
    readonly addr: string,
    readonly rcvCap: number,
  ) {}

  poll(): number {
    return (this.queue.length > 0 ? EV.IN : 0) | EV.OUT;
  }

  deliver(from: SimDatagramPeer, bytes: Uint8Array): void {
    if (this.queued + bytes.length > this.rcvCap) {
      this.dropped++;
      return;
    }
    this.queue.push({ from, bytes: bytes.slice() });
    this.queued += bytes.length;
    wakeUp(this, EV.IN);
  }

  /** recvfrom(2): one datagram, truncated to `buf`; -EAGAIN when none is queued. */
  recvfrom(buf: Uint8Array, from: { peer: unknown; remote: string }): number {
    const d = this.queue.shift();
    if (!d) return -ERRNO.EAGAIN;
    this.queued -= d.bytes.length;
    const n = Math.min(buf.length, d.bytes.length);
    buf.set(d.bytes.subarray(0, n), 0);
    from.peer = d.from;
    from.remote = d.from.addr;
    return n;
  }
}

/** The scenario side of UDP: sends datagrams to a server address and receives the replies. */
export class SimDatagramPeer {
  private readonly inbox: Uint8Array[] = [];
  /** When a datagram last arrived into an empty inbox (null while empty). */
  inSince: number | null = null;

  constructor(
    readonly addr: string,
    private readonly target: SimUdpSocket | null,
    private readonly now: () => number,
  ) {}

  /** Sends one datagram; false if nothing listens at the address (it is lost, as UDP is). */
  send(bytes: Uint8Array): boolean {
    if (!this.target) return false;
    this.target.deliver(this, bytes);
    return true;
  }

  /** The next datagram, or null. */
  recv(): Uint8Array | null {
    const d = this.inbox.shift() ?? null;
    if (this.inbox.length === 0) this.inSince = null;
    return d;
  }

  get available(): number {
    return this.inbox.length;
  }

  /** sendto(2) from the server reaches this peer. */
  receive(bytes: Uint8Array): void {
    this.inbox.push(bytes.slice());
    this.inSince ??= this.now();
  }
}
