/**
 * The simulated machine: one virtual clock in nanoseconds, one seeded PRNG, the fd table of the
 * server process, and the network (listen addresses, reuseport groups, stream pairs, UDP).
 * Every loop's `SimKernel` is a view of one `SimWorld`; scenario clients use `connect`.
 */
import type { EpollHost } from './epoll';
import { SimEventfd } from './eventfd';
import { FdTable } from './fd-table';
import type { SimFile } from './file';
import { SimListener } from './listener';
import { SimPeer } from './peer';
import { Prng } from './prng';
import { StreamEnd } from './stream';
import { SimDatagramPeer, SimUdpSocket } from './udp';

/** Knobs of the simulated kernel; every field has a default. */
export interface SimWorldOptions {
  /** Seed of every random choice (reuseport hashing, wake-up latency, scheduling ties). */
  seed: number;
  /** Virtual cost of one syscall, ns (default 1000). */
  syscallNs?: number;
  /** Extra cost of copying 1 KiB through read/write, ns (default 50). */
  copyNsPerKiB?: number;
  /** Upper bound of the random latency between a wake-up and the woken wait returning, ns (default: half a syscall, so every loop woken at once returns before the first can accept). */
  wakeLatencyNs?: number;
  /** Send buffer of accepted sockets, bytes (default 16384). */
  sndBuf?: number;
  /** Receive buffer of accepted sockets, bytes (default 65536). */
  rcvBuf?: number;
  /** Default listen backlog (default 128). */
  backlog?: number;
}

/** Buffer sizes of a client's end. */
export interface ConnectOptions {
  rcvBuf?: number;
  sndBuf?: number;
}

export class SimWorld implements EpollHost {
  /** Virtual nanoseconds since the run started. */
  now = 0;
  readonly prng: Prng;
  readonly fds = new FdTable<SimFile>();
  readonly syscallNs: number;
  readonly copyNsPerKiB: number;
  readonly wakeLatencyNs: number;
  readonly sndBuf: number;
  readonly rcvBuf: number;
  readonly backlog: number;
  private readonly tcp = new Map<string, SimListener[]>();
  private readonly udp = new Map<string, SimUdpSocket[]>();
  private nextPort = 40000;
  private readonly clock = { now: () => this.now };

  constructor(opts: SimWorldOptions) {
    this.prng = new Prng(opts.seed);
    this.syscallNs = opts.syscallNs ?? 1000;
    this.copyNsPerKiB = opts.copyNsPerKiB ?? 50;
    this.wakeLatencyNs = opts.wakeLatencyNs ?? Math.floor(this.syscallNs / 2);
    this.sndBuf = opts.sndBuf ?? 16384;
    this.rcvBuf = opts.rcvBuf ?? 65536;
    this.backlog = opts.backlog ?? 128;
  }

  /** Advances the clock by `ns` (a syscall, a busy handler). */
  advance(ns: number): void {
    if (ns > 0) this.now += Math.round(ns);
  }

  /** The cost of one syscall that copies `bytes`. */
  charge(bytes = 0): void {
    this.advance(this.syscallNs + (bytes * this.copyNsPerKiB) / 1024);
  }

  /** The clock, as a function (for the epoll model). */
  time(): number {
    return this.now;
  }

  /** A random wake-up latency in [0, wakeLatencyNs]. */
  wakeLatency(): number {
    return this.prng.int(this.wakeLatencyNs + 1);
  }

  /** socket + bind + listen: a TCP listener at `addr`; several with `reuseport` form a group. */
  listen(addr: string, opts: { backlog?: number; reuseport?: boolean } = {}): number {
    const group = this.tcp.get(addr) ?? [];
    const reuseport = opts.reuseport === true;
    if (group.some((l) => !l.reuseport) || (group.length > 0 && !reuseport)) {
      throw new Error(`address already in use: ${addr} (set reuseport on every listener of a group)`);
    }
    const ln = new SimListener(addr, opts.backlog ?? this.backlog, reuseport);
    group.push(ln);
    this.tcp.set(addr, group);
    return this.fds.alloc(ln);
  }

  /** socket + bind: a UDP socket at `addr`. */
  bindUdp(addr: string, opts: { reuseport?: boolean } = {}): number {
    const group = this.udp.get(addr) ?? [];
    if (group.length > 0 && opts.reuseport !== true) throw new Error(`address already in use: ${addr}`);
    const s = new SimUdpSocket(addr, this.rcvBuf);
    group.push(s);
    this.udp.set(addr, group);
    return this.fds.alloc(s);
  }

  /**
   * A client connects to `addr`: the handshake completes at once (the connection waits in the
   * listener's accept queue), or waits for room if the backlog is full. A reuseport group hashes
   * each connection to one of its listeners (a seeded choice stands in for the 4-tuple hash).
   */
  connect(addr: string, opts: ConnectOptions = {}): SimPeer {
    const group = (this.tcp.get(addr) ?? []).filter((l) => !l.closed);
    if (group.length === 0) return new SimPeer(null, 'ECONNREFUSED');
    const ln = group.length === 1 ? group[0]! : group[this.prng.int(group.length)]!;
    const port = this.nextPort++;
    const [client, server] = StreamEnd.pair(
      this.clock,
      { rcvBuf: opts.rcvBuf ?? 65536, sndBuf: opts.sndBuf ?? 16384, addr: `127.0.0.1:${port}` },
      { rcvBuf: this.rcvBuf, sndBuf: this.sndBuf, addr: ln.addr },
    );
    const peer = new SimPeer(client);
    ln.offer({
      end: server,
      onQueued: () => {
        peer.connected = true;
        peer.connectedAt = this.now;
      },
    });
    return peer;
  }

  /** A scenario-side UDP endpoint sending to `addr` (hashed to one socket of a reuseport group). */
  udpPeer(addr: string): SimDatagramPeer {
    const group = this.udp.get(addr) ?? [];
    const target = group.length === 0 ? null : group[this.prng.int(group.length)]!;
    return new SimDatagramPeer(`127.0.0.1:${this.nextPort++}`, target, () => this.now);
  }

  /** An eventfd object (installed by the kernel). */
  newEventfd(): SimEventfd {
    return new SimEventfd();
  }

  /** The listeners bound at `addr` (for tests and scenario bookkeeping). */
  listenersAt(addr: string): SimListener[] {
    return this.tcp.get(addr) ?? [];
  }

  /** Forgets a closed listener so that its address can be bound again. */
  unbind(file: SimFile): void {
    for (const map of [this.tcp, this.udp] as Map<string, SimFile[]>[]) {
      for (const [addr, group] of map) {
        const rest = group.filter((f) => f !== file);
        if (rest.length === 0) map.delete(addr);
        else map.set(addr, rest);
      }
    }
  }
}
