/**
 * The lean closed-loop echo load generator (the benchmark's default): the same CLI and output as
 * `load.ts`, but one thread driving raw non-blocking sockets with its own epoll through koffi.
 * A 64 B request costs it 10-15 us of CPU on the 2-vCPU dev VM, ~80% of it in the kernel (the
 * floor of any epoll client there), against 15-26 us for the Node `net` client, so that the
 * server under test, not the load, sets the pace (figures: bench/README.md).
 *
 * `conns` connections each send `size` bytes, wait until all `size` bytes came back, and send
 * again, for `seconds` after `warmupMs` of uncounted warm-up. Loopback only (127.0.0.1). Prints
 * `{"phase":"start"}` when the counted window opens, then one JSON line: requests, req/s, p50/p99
 * latency, and its own CPU seconds and syscalls in the window (`cpuS`, `syscalls`). Any failure (a refused or reset
 * connection, the server closing a connection or echoing more bytes than were sent, a request
 * not echoed in full within `STALL_MS`) prints `load: <what>` on stderr and exits 1.
 *
 * The request path, per request: one `sendto` (MSG_NOSIGNAL: a reset peer gives EPIPE, not a
 * signal), usually one `read` into one shared buffer, a share of one `epoll_wait`, and one
 * `performance.now()` (a reply's arrival time is also the next request's send time). Sockets are
 * registered for EPOLLIN only; EPOLLOUT is asked for only while a write is partial. The epoll
 * `data` field carries the connection's index. Latencies go into a fixed histogram (1 us buckets
 * below 100 ms, 1 ms buckets above): nothing is allocated per request, except a `subarray` when
 * a write goes partial.
 *
 * It uses the engine's libc bindings and epoll layout (`packages/engine/src/linux`), not its loop.
 * `connect` is not among those bindings (the engine never connects), so it is bound here through
 * the engine's koffi.
 *
 * Usage: tsx bench/load-raw.ts <port> <conns> <size> <seconds> [warmupMs = 300]
 */
import { createRequire } from 'node:module';
import { errnoName } from '../packages/engine/src/core/kernel';
import { EPOLL_ABI } from '../packages/engine/src/linux/epoll-abi';
import { K, libc } from '../packages/engine/src/linux/libc';
import { encodeInet } from '../packages/engine/src/linux/sockaddr';

const [port, conns, size, seconds, warmupArg] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number,
  number | undefined,
];
const warmupMs = warmupArg ?? 300;
if (
  !(Number.isInteger(port) && port > 0 && port < 65536) ||
  !(Number.isInteger(conns) && conns > 0 && conns <= 1000) ||
  !(Number.isInteger(size) && size > 0 && size <= 1 << 20) ||
  !(seconds > 0 && seconds <= 60) ||
  !(warmupMs >= 0 && warmupMs <= 10_000)
) {
  console.error(
    'usage: load-raw.ts <port 1..65535> <conns 1..1000> <size 1..1MiB> <seconds 0..60> [warmupMs 0..10000]',
  );
  process.exit(2);
}

/** The one libc function the engine does not bind. Same rules as libc.ts: anonymous types. */
interface KoffiLib {
  func(proto: string): (...args: unknown[]) => number;
}
interface Koffi {
  load(path: string): KoffiLib;
  errno(): number;
}
const koffi = createRequire(new URL('../packages/engine/package.json', import.meta.url))('koffi') as Koffi;
const rawConnect = koffi.load('libc.so.6').func('int connect(int, void *, uint32_t)');
const connect = (fd: number, sa: Uint8Array, len: number): number => {
  const r = rawConnect(fd, sa, len);
  return r < 0 ? -koffi.errno() : r;
};

const EPOLLIN = 0x1;
const EPOLLOUT = 0x4;
const EPOLLERR = 0x8;
const EPOLLHUP = 0x10;
const EPOLL_CLOEXEC = 0o2000000;
const TCP_NODELAY = 1;
const SO_ERROR = 4;
const MSG_NOSIGNAL = 0x4000;
const EINTR = -4;
const EAGAIN = -11;
const EINPROGRESS = -115;
/** All connections must be up within this. */
const CONNECT_MS = 10_000;
/** A request not fully echoed after this long: the server lost bytes or is stuck; fail, never hang. */
const STALL_MS = 5_000;
/** How often the outstanding requests are checked against `STALL_MS`. */
const STALL_CHECK_MS = 250;
/** Longest `epoll_wait`, so that deadlines are checked even when nothing moves. */
const WAIT_MS = 100;

function fail(what: string): never {
  console.error(`load: ${what}`);
  process.exit(1);
}
const target = `127.0.0.1:${port}`;

// --- sockets -------------------------------------------------------------------------------------

const epfd = libc.epollCreate1(EPOLL_CLOEXEC);
if (epfd < 0) fail(`epoll_create1: ${errnoName(epfd)}`);
const MAX_EVENTS = 256;
const events = Buffer.alloc(MAX_EVENTS * EPOLL_ABI.size);
const ctlEvent = Buffer.alloc(16);
const { size: EV_SIZE, eventsOffset: EV_MASK, dataOffset: EV_DATA } = EPOLL_ABI;

/** epoll_ctl with the connection's index as `data`. */
function ctl(op: number, i: number, mask: number): void {
  ctlEvent.writeUInt32LE(mask, EV_MASK);
  ctlEvent.writeInt32LE(i, EV_DATA);
  ctlEvent.writeInt32LE(0, EV_DATA + 4);
  syscalls++;
  const r = libc.epollCtl(epfd, op, fds[i]!, ctlEvent);
  if (r < 0) fail(`epoll_ctl: ${errnoName(r)}`);
}

/** This process's socket and epoll syscalls (reset when the counted window opens). */
let syscalls = 0;
const fds = new Int32Array(conns).fill(-1);
/** 0 = connecting, 1 = connected. */
const up = new Uint8Array(conns);
/** Bytes of the current request written so far / echoed so far. */
const sent = new Int32Array(conns);
const echoed = new Int32Array(conns);
/** Whether EPOLLOUT is in the connection's interest set (only while a write is partial). */
const wantOut = new Uint8Array(conns);
/** When the current request was sent (performance.now() ms). */
const sentAt = new Float64Array(conns);

const payload = Buffer.alloc(size, 0x61);
const readBuf = Buffer.alloc(Math.max(size, 64 * 1024));
const sa = Buffer.alloc(32);
const saLen = encodeInet(sa, [127, 0, 0, 1], port);
const one = new Int32Array([1]);
const soError = new Int32Array(1);
const soErrorLen = new Uint32Array(1);

function pendingError(fd: number): number {
  soErrorLen[0] = 4;
  const r = libc.getsockopt(fd, K.SOL_SOCKET, SO_ERROR, soError, soErrorLen);
  return r < 0 ? -r : soError[0]!;
}

for (let i = 0; i < conns; i++) {
  const fd = libc.socket(K.AF_INET, K.SOCK_STREAM | K.SOCK_NONBLOCK | K.SOCK_CLOEXEC, 0);
  if (fd < 0) fail(`socket: ${errnoName(fd)}`);
  fds[i] = fd;
  const r = libc.setsockopt(fd, K.IPPROTO_TCP, TCP_NODELAY, one, 4);
  if (r < 0) fail(`setsockopt TCP_NODELAY: ${errnoName(r)}`);
  const c = connect(fd, sa, saLen);
  if (c < 0 && c !== EINPROGRESS) fail(`connect to ${target}: ${errnoName(c)}`);
  // Writable = the connect finished (or failed: EPOLLERR/EPOLLHUP are always reported).
  ctl(K.EPOLL_CTL_ADD, i, EPOLLOUT);
}

// --- latency histogram ---------------------------------------------------------------------------

const FINE = 100_000; // 1 us buckets: [0, 100 ms)
const COARSE = 60_000; // 1 ms buckets: [100 ms, 60.1 s), the last one open-ended
const fine = new Uint32Array(FINE);
const coarse = new Uint32Array(COARSE);

function record(ms: number): void {
  const us = Math.floor(ms * 1000);
  if (us < FINE) fine[Math.max(0, us)]!++;
  else coarse[Math.min(COARSE - 1, Math.floor(us / 1000) - 100)]!++;
}

/** The latency in ms of the `floor(p * n)`-th fastest request (load.ts's definition), bucket middle. */
function percentile(p: number, n: number): number {
  if (n === 0) return 0;
  const k = Math.min(n - 1, Math.floor(p * n));
  let seen = 0;
  for (let b = 0; b < FINE; b++) {
    seen += fine[b]!;
    if (seen > k) return (b + 0.5) / 1000;
  }
  for (let b = 0; b < COARSE; b++) {
    seen += coarse[b]!;
    if (seen > k) return 100 + b + 0.5;
  }
  return 100 + COARSE;
}

// --- the closed loop -----------------------------------------------------------------------------

let connected = 0;
let counting = false;
/** Requests completed in the counted window. */
let requests = 0;

/** Writes the rest of connection i's request; asks for EPOLLOUT while the kernel did not take it all. */
function writeMore(i: number): void {
  const off = sent[i]!;
  const buf = off === 0 ? payload : payload.subarray(off);
  syscalls++;
  const n = libc.sendto(fds[i]!, buf, size - off, MSG_NOSIGNAL, null, 0);
  if (n > 0) sent[i] = off + n;
  else if (n !== EAGAIN && n !== EINTR) fail(`write to ${target}: ${errnoName(n)}`);
  const partial = sent[i]! < size;
  if (partial !== (wantOut[i] === 1)) {
    wantOut[i] = partial ? 1 : 0;
    ctl(K.EPOLL_CTL_MOD, i, partial ? EPOLLIN | EPOLLOUT : EPOLLIN);
  }
}

function send(i: number, now: number): void {
  sent[i] = 0;
  echoed[i] = 0;
  sentAt[i] = now;
  writeMore(i);
}

function onConnected(i: number, mask: number): void {
  const err = pendingError(fds[i]!);
  if (err !== 0 || (mask & (EPOLLERR | EPOLLHUP)) !== 0) {
    fail(`connect to ${target}: ${errnoName(err === 0 ? 104 : err)}`);
  }
  up[i] = 1;
  ctl(K.EPOLL_CTL_MOD, i, EPOLLIN);
  connected++;
}

/** One read of connection i; at the whole echo, the next request (or nothing once stopped). */
function onReadable(i: number): void {
  syscalls++;
  const n = libc.read(fds[i]!, readBuf, readBuf.length);
  if (n > 0) {
    const got = echoed[i]! + n;
    if (got > sent[i]!) fail(`${target} echoed ${got} bytes of a ${sent[i]}-byte write (request ${size} B)`);
    echoed[i] = got;
    if (got < size) return;
    const now = performance.now();
    if (counting) {
      requests++;
      record(now - sentAt[i]!);
    }
    send(i, now);
    return;
  }
  if (n === 0) fail(`${target} closed a connection`);
  if (n !== EAGAIN && n !== EINTR) fail(`read from ${target}: ${errnoName(n)}`);
}

function checkStalls(t: number): void {
  for (let i = 0; i < conns; i++) {
    if (t - sentAt[i]! <= STALL_MS) continue;
    const got = `${echoed[i]} of ${size} bytes echoed (${sent[i]} written)`;
    fail(`no reply from ${target} for ${STALL_MS} ms on connection ${i + 1}/${conns}: ${got}`);
  }
}

let now = performance.now();
const connectDeadline = now + CONNECT_MS;
let warmEnd = Number.POSITIVE_INFINITY;
let windowStart = 0;
let windowEnd = Number.POSITIVE_INFINITY;
let cpuStart = process.cpuUsage();
let nextStallCheck = 0;
let started = false;

for (;;) {
  const until = !started ? connectDeadline : counting ? windowEnd : warmEnd;
  const timeout = Math.max(0, Math.min(WAIT_MS, Math.ceil(until - now)));
  syscalls++;
  const n = libc.epollWait(epfd, events, MAX_EVENTS, timeout);
  if (n < 0 && n !== EINTR) fail(`epoll_wait: ${errnoName(n)}`);
  for (let e = 0, o = 0; e < n; e++, o += EV_SIZE) {
    const mask = events.readUInt32LE(o + EV_MASK);
    const i = events.readInt32LE(o + EV_DATA);
    if (up[i] === 0) {
      onConnected(i, mask);
      continue;
    }
    // A pending socket error (reset) shows as EPOLLERR; the read or write below names it.
    if ((mask & (EPOLLOUT | EPOLLERR)) !== 0 && sent[i]! < size) writeMore(i);
    if ((mask & (EPOLLIN | EPOLLERR | EPOLLHUP)) !== 0) onReadable(i);
  }
  now = performance.now();
  if (!started) {
    if (connected < conns) {
      if (now >= connectDeadline) fail(`connect to ${target}: ${connected}/${conns} up in ${CONNECT_MS} ms`);
      continue;
    }
    started = true;
    for (let i = 0; i < conns; i++) send(i, now);
    warmEnd = now + warmupMs;
    continue;
  }
  if (now >= nextStallCheck) {
    nextStallCheck = now + STALL_CHECK_MS;
    checkStalls(now);
  }
  if (!counting && now >= warmEnd) {
    counting = true;
    syscalls = 0;
    console.log(JSON.stringify({ phase: 'start' }));
    cpuStart = process.cpuUsage();
    windowStart = performance.now();
    windowEnd = windowStart + seconds * 1000;
  } else if (counting && now >= windowEnd) {
    checkStalls(now);
    break;
  }
}

const elapsed = (now - windowStart) / 1000;
const cpu = process.cpuUsage(cpuStart);
console.log(
  JSON.stringify({
    requests,
    rps: requests / elapsed,
    p50ms: percentile(0.5, requests),
    p99ms: percentile(0.99, requests),
    cpuS: (cpu.user + cpu.system) / 1e6,
    syscalls,
  }),
);
for (const fd of fds) libc.close(fd);
libc.close(epfd);
process.exit(0);
