/**
 * The syscall boundary of the loop core: the short list of kernel operations an evio-style loop
 * needs. Two backends implement it: `linux/` (real syscalls through koffi, one instance per loop
 * thread) and `sim/` (a simulated kernel, one instance shared by every simulated loop).
 *
 * Contract (both backends):
 * - Every call is synchronous and never blocks, except `wait`, which may block for at most
 *   `timeoutMs` (the simulator never blocks: its scheduler decides when a wait returns).
 * - Results: a number >= 0 is success (a fd, a byte count); a negative number is `-errno` with
 *   Linux errno values (`ERRNO`), also in the simulator. `errnoName` turns them into names.
 *   `EAGAIN` means "not now, wait for readiness"; `EINTR` means "retry".
 * - Interest and readiness masks use epoll's bits (`EV` from the trace package); the loop speaks
 *   only of readable (`IN`) and writable (`OUT`), plus the mode flags `ET` and `EXCLUSIVE`.
 * - `wait` decodes the ready list straight into the caller's arrays: no allocation per call.
 * - `close` is never retried. A closed fd number may be handed out again by the next call that
 *   creates a fd, even inside one ready batch: the loop guards with connection generations.
 * - `now` is a monotonic clock in nanoseconds shared by every loop of one trace (virtual in the
 *   simulator).
 */

/** Linux errno values, used by both backends. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EEXIST: 17,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOSPC: 28,
  EPIPE: 32,
  ENOTSOCK: 88,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETUNREACH: 101,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
} as const;

const ERRNO_NAMES = new Map<number, string>(Object.entries(ERRNO).map(([k, v]) => [v, k]));

/** The symbolic name of an errno value (positive or negative), e.g. `EAGAIN`. */
export function errnoName(code: number): string {
  const n = Math.abs(code);
  return ERRNO_NAMES.get(n) ?? `E${n}`;
}

/** What `accept` learned about the new connection. */
export interface AcceptedPeer {
  /** The peer's address as text (`127.0.0.1:50220`, `[::1]:4000`, `@unix`). */
  remote: string;
}

/** An opaque UDP peer address, handed back to `sendto`. */
export type DatagramPeer = unknown;

/** A socket handed to the user by the Detach action: plain blocking I/O (evio's rwc). */
export interface DetachedConn {
  readonly fd: number;
  /** Blocking read; 0 at end of stream. */
  read(buf: Uint8Array): number;
  /** Writes all of `buf` (blocking); returns `buf.length`. */
  write(buf: Uint8Array): number;
  close(): void;
}

/** One loop's view of the kernel. */
export interface Kernel {
  /** Monotonic nanoseconds since the trace started. */
  now(): number;
  /**
   * The time to stamp a trace event with: `now()`, or what `now()` last returned if no syscall
   * was made through this kernel since (events emitted between two syscalls are a few hundred
   * nanoseconds apart; the real kernel saves a clock read per event, the simulator's is free).
   */
  stamp(): number;
  /** Burns `ns` nanoseconds of the calling loop's time (a slow handler). The real kernel spins. */
  busy(ns: number): void;

  /** `epoll_create1(0)`: a new poll instance. */
  pollCreate(): number;
  /** `epoll_ctl`: op is add/mod/del; returns 0 or -errno. */
  pollCtl(epfd: number, op: 'add' | 'mod' | 'del', fd: number, mask: number): number;
  /**
   * `epoll_wait`: up to `fds.length` ready fds into `fds`/`masks` in kernel order.
   * Returns the count, 0 on timeout, or -errno (EINTR).
   */
  pollWait(epfd: number, fds: Int32Array, masks: Uint32Array, timeoutMs: number): number;

  /** `eventfd2(0, 0)`: a wake-up counter. */
  eventfdCreate(): number;
  /** Adds 1 to the counter (wakes a waiting loop). 0 or -errno. */
  eventfdWrite(fd: number): number;
  /** Reads and resets the counter. 0 or -errno. */
  eventfdRead(fd: number): number;

  /** `accept4(fd, .., 0)`: the new fd or -errno; `peer` receives its address. */
  accept(listenerFd: number, peer: AcceptedPeer): number;
  /** `fcntl(F_SETFL, O_NONBLOCK)` (evio also reads the flags first: two syscalls). 0 or -errno. */
  setNonblock(fd: number): number;
  /** `read(fd, buf, buf.length)`: bytes read (0 = end of stream) or -errno. */
  read(fd: number, buf: Uint8Array): number;
  /** `write(fd, buf + off, len)`: bytes taken or -errno. */
  write(fd: number, buf: Uint8Array, off: number, len: number): number;
  /** `recvfrom`: bytes or -errno; `from` receives the peer. */
  recvfrom(fd: number, buf: Uint8Array, from: { peer: DatagramPeer; remote: string }): number;
  /** `sendto`: bytes or -errno. */
  sendto(fd: number, buf: Uint8Array, len: number, to: DatagramPeer): number;
  /** SO_KEEPALIVE + TCP_KEEPIDLE/TCP_KEEPINTVL of `secs`. 0 or -errno. */
  setKeepAlive(fd: number, secs: number): number;
  /** Makes the fd blocking again and wraps it for the user (the Detach action). */
  detach(fd: number): DetachedConn;
  /** `close(fd)`. 0 or -errno; never retried. */
  close(fd: number): number;
}
