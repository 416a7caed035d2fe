/**
 * Socket buffer sizes, for scenarios that need small buffers to make writes go partial.
 * A listening socket's SO_SNDBUF/SO_RCVBUF are inherited by every socket `accept` returns, so a
 * scenario can shrink the buffers of the connections the loops will serve before they arrive.
 */
import { K, libc } from './libc';

/** Which buffer. */
export type SocketBuffer = 'send' | 'receive';

/**
 * Sets SO_SNDBUF or SO_RCVBUF (the kernel doubles the value and applies its minimum; automatic
 * tuning stops for that buffer). Returns 0 or `-errno`.
 */
export function setSocketBuffer(fd: number, which: SocketBuffer, bytes: number): number {
  if (!Number.isInteger(bytes) || bytes < 1) return -22;
  const opt = which === 'send' ? K.SO_SNDBUF : K.SO_RCVBUF;
  return libc.setsockopt(fd, K.SOL_SOCKET, opt, new Int32Array([bytes]), 4);
}

/** Reads SO_SNDBUF or SO_RCVBUF (the size the kernel uses), or `-errno`. */
export function getSocketBuffer(fd: number, which: SocketBuffer): number {
  const opt = which === 'send' ? K.SO_SNDBUF : K.SO_RCVBUF;
  const val = new Int32Array(1);
  const len = new Uint32Array([4]);
  const r = libc.getsockopt(fd, K.SOL_SOCKET, opt, val, len);
  return r < 0 ? r : val[0]!;
}
