/**
 * The libc functions Loopscope calls, bound once per thread through koffi.
 *
 * Contract:
 * - Every wrapper returns the libc result when it is >= 0, or `-errno` (read with
 *   `koffi.errno()` right after the call, before any other libc call can overwrite it).
 * - Pointer arguments are Buffers or typed arrays passed in place (no copy, no koffi struct
 *   objects: those cost ~500 ns a call). Only anonymous koffi types are used, so importing this
 *   module in several threads, or twice in one test process, never throws "Duplicate type name".
 * - Nothing here retries: callers decide what EINTR and EAGAIN mean.
 * - `fcntl` is declared with a fixed third `int` argument: on x86_64 and arm64 Linux an integer
 *   variadic argument is passed exactly like a named one, and the fixed prototype avoids koffi's
 *   slower variadic call path.
 *
 * Module instances are per worker thread, so "once per thread" is simply "once per module".
 */
import koffi from 'koffi';

const lib = koffi.load('libc.so.6');

type Ptr = Uint8Array | Int32Array | Uint32Array | null;

const raw = {
  socket: lib.func('int socket(int, int, int)') as (d: number, t: number, p: number) => number,
  setsockopt: lib.func('int setsockopt(int, int, int, void *, uint32_t)') as (
    fd: number,
    level: number,
    name: number,
    val: Ptr,
    len: number,
  ) => number,
  getsockopt: lib.func('int getsockopt(int, int, int, void *, void *)') as (
    fd: number,
    level: number,
    name: number,
    val: Ptr,
    len: Ptr,
  ) => number,
  bind: lib.func('int bind(int, void *, uint32_t)') as (fd: number, sa: Ptr, len: number) => number,
  listen: lib.func('int listen(int, int)') as (fd: number, backlog: number) => number,
  accept4: lib.func('int accept4(int, void *, void *, int)') as (
    fd: number,
    sa: Ptr,
    len: Ptr,
    flags: number,
  ) => number,
  fcntl: lib.func('int fcntl(int, int, int)') as (fd: number, cmd: number, arg: number) => number,
  epoll_create1: lib.func('int epoll_create1(int)') as (flags: number) => number,
  epoll_ctl: lib.func('int epoll_ctl(int, int, int, void *)') as (
    epfd: number,
    op: number,
    fd: number,
    ev: Ptr,
  ) => number,
  epoll_wait: lib.func('int epoll_wait(int, void *, int, int)') as (
    epfd: number,
    evs: Ptr,
    max: number,
    timeout: number,
  ) => number,
  eventfd: lib.func('int eventfd(uint32_t, int)') as (init: number, flags: number) => number,
  read: lib.func('long read(int, void *, size_t)') as (fd: number, buf: Ptr, len: number) => number,
  write: lib.func('long write(int, void *, size_t)') as (fd: number, buf: Ptr, len: number) => number,
  recvfrom: lib.func('long recvfrom(int, void *, size_t, int, void *, void *)') as (
    fd: number,
    buf: Ptr,
    len: number,
    flags: number,
    sa: Ptr,
    salen: Ptr,
  ) => number,
  sendto: lib.func('long sendto(int, void *, size_t, int, void *, uint32_t)') as (
    fd: number,
    buf: Ptr,
    len: number,
    flags: number,
    sa: Ptr,
    salen: number,
  ) => number,
  shutdown: lib.func('int shutdown(int, int)') as (fd: number, how: number) => number,
  close: lib.func('int close(int)') as (fd: number) => number,
  getsockname: lib.func('int getsockname(int, void *, void *)') as (fd: number, sa: Ptr, len: Ptr) => number,
  clock_gettime: lib.func('int clock_gettime(int, void *)') as (clk: number, ts: Ptr) => number,
  gettid: lib.func('int gettid()') as () => number,
};

/** A libc result: the value if >= 0, else `-errno` read right away. */
function ret(r: number): number {
  return r < 0 ? -koffi.errno() : r;
}

/** The bound functions; each returns its result or `-errno`. */
export const libc = {
  socket: (d: number, t: number, p: number) => ret(raw.socket(d, t, p)),
  setsockopt: (fd: number, level: number, name: number, val: Ptr, len: number) =>
    ret(raw.setsockopt(fd, level, name, val, len)),
  getsockopt: (fd: number, level: number, name: number, val: Ptr, len: Ptr) =>
    ret(raw.getsockopt(fd, level, name, val, len)),
  bind: (fd: number, sa: Ptr, len: number) => ret(raw.bind(fd, sa, len)),
  listen: (fd: number, backlog: number) => ret(raw.listen(fd, backlog)),
  accept4: (fd: number, sa: Ptr, len: Ptr, flags: number) => ret(raw.accept4(fd, sa, len, flags)),
  fcntl: (fd: number, cmd: number, arg: number) => ret(raw.fcntl(fd, cmd, arg)),
  epollCreate1: (flags: number) => ret(raw.epoll_create1(flags)),
  epollCtl: (epfd: number, op: number, fd: number, ev: Ptr) => ret(raw.epoll_ctl(epfd, op, fd, ev)),
  epollWait: (epfd: number, evs: Ptr, max: number, timeout: number) =>
    ret(raw.epoll_wait(epfd, evs, max, timeout)),
  eventfd: (init: number, flags: number) => ret(raw.eventfd(init, flags)),
  read: (fd: number, buf: Ptr, len: number) => ret(raw.read(fd, buf, len)),
  write: (fd: number, buf: Ptr, len: number) => ret(raw.write(fd, buf, len)),
  recvfrom: (fd: number, buf: Ptr, len: number, flags: number, sa: Ptr, salen: Ptr) =>
    ret(raw.recvfrom(fd, buf, len, flags, sa, salen)),
  sendto: (fd: number, buf: Ptr, len: number, flags: number, sa: Ptr, salen: number) =>
    ret(raw.sendto(fd, buf, len, flags, sa, salen)),
  shutdown: (fd: number, how: number) => ret(raw.shutdown(fd, how)),
  close: (fd: number) => ret(raw.close(fd)),
  getsockname: (fd: number, sa: Ptr, len: Ptr) => ret(raw.getsockname(fd, sa, len)),
  clockGettime: (clk: number, ts: Ptr) => ret(raw.clock_gettime(clk, ts)),
  gettid: () => raw.gettid(),
};

/** Kernel constants (identical on x86_64 and arm64 Linux). */
export const K = {
  AF_UNIX: 1,
  AF_INET: 2,
  AF_INET6: 10,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_SNDBUF: 7,
  SO_RCVBUF: 8,
  SO_KEEPALIVE: 9,
  SO_REUSEPORT: 15,
  IPPROTO_TCP: 6,
  IPPROTO_IPV6: 41,
  IPV6_V6ONLY: 26,
  TCP_KEEPIDLE: 4,
  TCP_KEEPINTVL: 5,
  F_GETFL: 3,
  F_SETFL: 4,
  O_NONBLOCK: 0o4000,
  EPOLL_CTL_ADD: 1,
  EPOLL_CTL_DEL: 2,
  EPOLL_CTL_MOD: 3,
  SHUT_RD: 0,
  SHUT_WR: 1,
  SHUT_RDWR: 2,
  CLOCK_MONOTONIC: 1,
} as const;
