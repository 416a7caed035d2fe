/**
 * A traced scenario client over a real loopback socket (node:net). It only ever connects to
 * loopback addresses, and every step is bounded in time.
 */
import net from 'node:net';
import { isLoopbackHost } from '../http/guard';
import type { ClientTrace } from './scenario';

/** Milliseconds any single step (connect, a reply) may take. */
export const STEP_TIMEOUT_MS = 5_000;

export class LoopbackClient {
  private received: Buffer[] = [];
  private receivedBytes = 0;
  private waiter: (() => void) | null = null;
  private closed = false;
  private closeError: string | null = null;

  private constructor(
    readonly id: number,
    private readonly socket: net.Socket,
    private readonly trace: ClientTrace,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.received.push(chunk);
      this.receivedBytes += chunk.length;
      this.waiter?.();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.closeError ??= err.code ?? err.message;
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
  }

  /** Connects client `id` to `host:port` (loopback only) and traces `client-connect`. */
  static async connect(id: number, host: string, port: number, trace: ClientTrace, signal: AbortSignal) {
    if (!isLoopbackHost(host)) throw new Error(`scenario clients connect to loopback only, not ${host}`);
    const socket = net.connect({ host, port, noDelay: true });
    await within(signal, STEP_TIMEOUT_MS, `client ${id} connect`, (done, fail) => {
      socket.once('connect', done);
      socket.once('error', fail);
    });
    trace.emit({ kind: 'client-connect', client: id, local: `${socket.localAddress}:${socket.localPort}` });
    return new LoopbackClient(id, socket, trace);
  }

  /** `address:port` of the client's end, as the engine's `accept` reports it in `remote`. */
  get local(): string {
    return `${this.socket.localAddress}:${this.socket.localPort}`;
  }

  /** Bytes received and not yet returned by `receive`. */
  get buffered(): number {
    return this.receivedBytes;
  }

  /**
   * Stops reading: Node keeps at most its stream buffer (about 64 KiB), then the kernel's
   * receive buffer fills and the server's writes go partial.
   */
  pause(): void {
    this.socket.pause();
  }

  /** Reads again. */
  resume(): void {
    this.socket.resume();
  }

  /**
   * Waits until more than `have` bytes arrived or the peer closed (true), or `idleMs` passed
   * without that (false: bytes the server lost never come). Throws only when `signal` aborts.
   */
  more(have: number, signal: AbortSignal, idleMs = STEP_TIMEOUT_MS): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const finish = (v: boolean | Error) => {
        clearTimeout(timer);
        this.waiter = null;
        signal.removeEventListener('abort', onAbort);
        if (v instanceof Error) reject(v);
        else resolve(v);
      };
      const onAbort = () => finish(new Error(`client ${this.id} data: stopped`));
      const timer = setTimeout(() => finish(false), idleMs);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = () => {
        if (this.receivedBytes > have || this.closed) finish(true);
      };
      this.waiter();
    });
  }

  /**
   * Reads until `n` bytes arrived, the peer closed, or nothing came for `idleMs`; traces
   * `client-recv` (latency only when all `n` came) and returns what arrived, for `verify`.
   */
  async receiveAll(n: number, signal: AbortSignal, sentAt: number, idleMs: number): Promise<Buffer> {
    while (this.receivedBytes < n && !this.closed) {
      if (!(await this.more(this.receivedBytes, signal, idleMs))) {
        this.trace.emit({
          kind: 'mark',
          text: `client ${this.id}: nothing more for ${idleMs} ms, ${this.receivedBytes} of ${n} bytes arrived`,
        });
        break;
      }
    }
    return this.receive(0, signal, sentAt, n);
  }

  /** Whether the peer has closed. */
  get ended(): boolean {
    return this.closed;
  }

  /** Sends bytes and traces `client-send`. */
  send(data: Buffer): void {
    this.socket.write(data);
    this.trace.emit({ kind: 'client-send', client: this.id, bytes: data.length });
  }

  /**
   * Waits until `n` bytes arrived (or the peer closed), tracing `client-recv` (with a latency if
   * at least `expected` bytes came, default `n`); returns everything received since the last call.
   */
  async receive(n: number, signal: AbortSignal, sentAt: number, expected = n): Promise<Buffer> {
    await within(signal, STEP_TIMEOUT_MS, `client ${this.id} reply`, (done) => {
      this.waiter = () => {
        if (this.receivedBytes >= n || this.closed) done();
      };
      this.waiter();
    });
    this.waiter = null;
    const all = Buffer.concat(this.received);
    this.received = [];
    this.receivedBytes = 0;
    const latencyNs = all.length >= expected ? this.trace.now() - sentAt : -1;
    this.trace.emit({ kind: 'client-recv', client: this.id, bytes: all.length, latencyNs });
    return all;
  }

  /** Compares what arrived with what was expected and traces `client-verify`. */
  verify(got: Buffer, expected: Buffer): number {
    let mismatches = Math.abs(got.length - expected.length);
    const n = Math.min(got.length, expected.length);
    for (let i = 0; i < n; i++) if (got[i] !== expected[i]) mismatches++;
    const detail =
      mismatches === 0 ? null : `expected ${expected.length} bytes, got ${got.length}, ${mismatches} differ`;
    this.trace.emit({ kind: 'client-verify', client: this.id, bytes: got.length, mismatches, detail });
    return mismatches;
  }

  /** Half-closes, waits (bounded) for the server's close, and traces `client-close`. */
  async close(signal: AbortSignal): Promise<void> {
    this.socket.end();
    try {
      await within(signal, STEP_TIMEOUT_MS, `client ${this.id} close`, (done) => {
        if (this.closed) done();
        else this.socket.once('close', done);
      });
    } catch (err) {
      this.closeError ??= err instanceof Error ? err.message : String(err);
    } finally {
      this.socket.destroy();
      this.trace.emit({ kind: 'client-close', client: this.id, error: this.closeError });
    }
  }

  /** Drops the connection at once (on abort). */
  destroy(): void {
    this.socket.destroy();
  }
}

/** Runs `start` until it calls done, failing on timeout, on error or when `signal` aborts. */
function within(
  signal: AbortSignal,
  ms: number,
  what: string,
  start: (done: () => void, fail: (err: Error) => void) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => finish(new Error(`${what}: stopped`));
    const timer = setTimeout(() => finish(new Error(`${what}: no answer within ${ms} ms`)), ms);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    start(
      () => finish(),
      (err) => finish(err),
    );
  });
}
