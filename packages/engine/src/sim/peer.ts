/**
 * The scenario side of a TCP connection: the client's end of a simulated stream socket.
 * Scenario clients drive it with `send`, `recv` and `close`; none of these calls costs loop time
 * (the client is another machine).
 */
import { errnoName } from '../core/kernel';
import type { StreamEnd } from './stream';

export class SimPeer {
  /** The handshake completed: the connection is in the listener's accept queue (or accepted). */
  connected = false;
  /** When it connected; null while waiting for room in the accept queue. */
  connectedAt: number | null = null;
  /** Why the connection failed to be made (ECONNREFUSED), else null. */
  readonly refused: string | null;

  constructor(
    private readonly end: StreamEnd | null,
    refused: string | null = null,
  ) {
    this.refused = refused;
  }

  /** The client's address, as the server sees it (`127.0.0.1:40001`). */
  get addr(): string {
    return this.end?.addr ?? '';
  }

  /** Bytes waiting to be read. */
  get available(): number {
    return this.end?.rcv.length ?? 0;
  }

  /** Bytes a send could take now. */
  get writeSpace(): number {
    return this.end?.writeSpace ?? 0;
  }

  /** The server closed and every byte it sent has been read: recv would return end of stream. */
  get eof(): boolean {
    return this.end !== null && this.end.rcv.length === 0 && (this.end.finReceived || this.end.reset);
  }

  /** The connection was reset (the server closed with our bytes unread). */
  get wasReset(): boolean {
    return this.end?.reset ?? false;
  }

  /** When data (or end of stream) became available; null while there is nothing to read. */
  get readableAt(): number | null {
    return this.end?.inSince ?? null;
  }

  /** When send space became available; null while a send would take nothing. */
  get writableAt(): number | null {
    if (!this.end || this.end.writeSpace === 0) return null;
    return this.end.outSince;
  }

  /**
   * Sends as much of `bytes` as fits: returns the count taken (0 when the buffers are full),
   * or an error name (`EPIPE`, `ECONNRESET`).
   */
  send(bytes: Uint8Array): number | string {
    if (!this.end || !this.connected) return 'ENOTCONN';
    if (bytes.length === 0) return 0;
    const n = this.end.write(bytes, 0, bytes.length);
    if (n >= 0) return n;
    return n === -11 ? 0 : errnoName(n);
  }

  /**
   * Reads up to `max` bytes: the bytes (empty when nothing is there yet), null at end of
   * stream, or an error name (`ECONNRESET`).
   */
  recv(max: number): Uint8Array | null | string {
    if (!this.end) return 'ENOTCONN';
    const buf = new Uint8Array(Math.max(0, Math.min(max, this.end.rcv.length || 1)));
    const n = this.end.read(buf, 0, buf.length);
    if (n > 0) return buf.subarray(0, n);
    if (n === 0) return null;
    return n === -11 ? new Uint8Array(0) : errnoName(n);
  }

  /** Closes the client's end (FIN, or RST if the server's bytes are left unread). */
  close(): void {
    this.end?.close();
  }
}
