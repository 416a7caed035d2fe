/**
 * evio's public API in TypeScript: the same callbacks, actions, options and balancers, with the
 * same semantics (see this package's README).
 *
 * @example An echo server
 * ```ts
 * import { serve } from '@loopscope/engine/linux';
 * await serve({ numLoops: 2, data: (c, input) => ({ out: input }) }, 'tcp://127.0.0.1:5000');
 * ```
 */
import type { DetachedConn } from './kernel';

/** What to do with a connection (or the server) after a callback. */
export enum Action {
  /** Nothing. */
  None = 0,
  /** Hand the socket to `detached` after the pending output is flushed (TCP and unix only). */
  Detach = 1,
  /** Close the connection after the pending output is flushed. */
  Close = 2,
  /** Stop the whole server: every loop, every connection. */
  Shutdown = 3,
}

/** How a new connection is placed on a loop when there is more than one. */
export type LoadBalance = 'random' | 'round-robin' | 'least-connections';
export const LOAD_BALANCES: readonly LoadBalance[] = ['random', 'round-robin', 'least-connections'];

/** Per-connection options, returned by `opened`. */
export interface Options {
  /** Keep-alive period in milliseconds; whole seconds are used (evio truncates). */
  tcpKeepAlive?: number;
  /**
   * If true, `data`'s input is a view of the loop's shared 65535-byte read buffer, valid only
   * during the call. Default false: a fresh copy.
   */
  reuseInputBuffer?: boolean;
}

/** The server as `serving` sees it: bound addresses (index-aligned with `serve`'s) and loop count. */
export interface Server {
  addrs: string[];
  numLoops: number;
}

/** A connection, as handlers see it. Only its own loop's thread may use it. */
export interface Conn {
  /** A user value, free to set. */
  context: unknown;
  /** Index of the `serve` address the connection arrived on. */
  readonly addrIndex: number;
  /** The listener's address (not getsockname of the accepted socket, as in evio). */
  readonly localAddr: string;
  /** The peer's address. */
  readonly remoteAddr: string;
  /** The connection's fd (for display; do not do I/O on it). */
  readonly fd: number;
  /** The loop the connection lives on. */
  readonly loopIndex: number;
  /**
   * Queues a wake-up: the loop will call `data(c, null)` soon. In `evio` mode the output that
   * call returns *replaces* any output still pending (evio's real data loss).
   */
  wake(): void;
  /** Burns `ms` milliseconds of this loop's time, as a slow handler would (teaching aid). */
  busy(ms: number): void;
}

/** What `opened` may return. */
export interface OpenedResult {
  out?: Uint8Array | string | null;
  opts?: Options;
  action?: Action;
}

/** What `data` may return. */
export interface DataResult {
  out?: Uint8Array | string | null;
  action?: Action;
}

/** What `tick` returns: the delay (ms) until the next tick, and an action. */
export interface TickResult {
  delay: number;
  action?: Action;
}

/** The callbacks of a server; every field is optional, as in evio. */
export interface Events {
  /** Loop count: 0 means 1, negative means one per CPU, N means N. */
  numLoops?: number;
  /** Balancer used when there is more than one loop. Default `random`. */
  loadBalance?: LoadBalance;
  /** Called once when the listeners are bound, before any loop runs. `Shutdown` stops at once. */
  serving?(server: Server): Action | void;
  /** Called on the first readiness event after accept (not inside accept). */
  opened?(c: Conn): OpenedResult | void;
  /** Called after the connection's fd was closed; `err` is null for EOF, Close and shutdown. */
  closed?(c: Conn, err: string | null): Action | void;
  /** Called after a Detach action; if absent, Detach behaves as Close. */
  detached?(c: Conn, rwc: DetachedConn): Action | void;
  /** Called right before every write attempt, including attempts that end in EAGAIN. */
  preWrite?(): void;
  /** Input arrived; `input` is null when called because of `Conn.wake()`. */
  data?(c: Conn, input: Uint8Array | null): DataResult | void;
  /** Runs on loop 0 only: first right after start, then `delay` ms after each call returned. */
  tick?(): TickResult;
}

/**
 * Buffers a partial message between `data` calls (evio's InputStream).
 * `begin` returns the buffered remainder plus the new packet; `end` keeps what was not consumed.
 */
export class InputStream {
  private buf: Uint8Array = new Uint8Array(0);

  begin(packet: Uint8Array): Uint8Array {
    if (this.buf.length === 0) return packet;
    const all = new Uint8Array(this.buf.length + packet.length);
    all.set(this.buf, 0);
    all.set(packet, this.buf.length);
    this.buf = all;
    return all;
  }

  end(data: Uint8Array | null): void {
    if (data && data.length > 0) {
      if (data.length !== this.buf.length || data !== this.buf) this.buf = data.slice();
    } else {
      this.buf = new Uint8Array(0);
    }
  }
}
