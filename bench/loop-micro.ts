/**
 * What the engine's loop costs per request apart from the kernel: the core `Loop` (echo handler,
 * tracing off) over a stub kernel that makes no syscall. Every wait returns `conns` connections
 * readable, every read returns `size` bytes, every write takes everything, so one iteration is
 * one batch of `conns` requests and its time is the loop's own JavaScript: dispatch, the Data
 * call, the output buffer, the interest bookkeeping. Add the syscalls (one `read`, one `write`,
 * a share of `epoll_wait` in `direct-write`) to get a request's cost on the real kernel.
 *
 * Also times some pieces of a request one by one, and the cheapest koffi call that enters the
 * kernel (a `read` of fd -1, which fails at the fd lookup).
 *
 * Flags after the positional arguments, in any order:
 * - `trace`: the loop traces into a real trace ring (`RingWriter`, stamped by the engine's clock)
 *   that the same thread drains every 64 iterations, as the spill recorder would.
 * - `sys`: every stub syscall also enters the kernel (a `read` of fd -1 through koffi, which
 *   fails at the fd lookup). On this VM a syscall leaves caches and TLB cold, and code that runs
 *   between syscalls costs several times what it costs in a tight loop: the tracer's cost per
 *   request is 3-4x larger with `sys` than without, as in the real engine.
 * - `ab`: runs an untraced and a traced loop in the same process, taking turns in 150 ms slices
 *   (16 rounds, the first 2 uncounted), and prints the median ns per request of each and their
 *   ratio: the tracer's cost measured against a baseline of the same moment on a noisy machine.
 *
 * Usage: tsx bench/loop-micro.ts [mode = direct-write] [conns = 50] [size = 64] [seconds = 2] [trace] [sys] [ab]
 * Run it under `node --cpu-prof --import tsx` for a profile: the loop runs on the main thread.
 */
import type { Kernel } from '../packages/engine/src/core/kernel';
import { Loop } from '../packages/engine/src/core/loop';
import { NO_TRACE } from '../packages/engine/src/core/loop-types';
import { MODE_NAMES, MODES, type ModeName } from '../packages/engine/src/core/modes';
import echo from '../packages/engine/src/handlers/echo';
import { monotonicNowNs } from '../packages/engine/src/linux/clock';
import { libc } from '../packages/engine/src/linux/libc';
import { createRing, RingReader, RingWriter } from '../packages/engine/src/linux/trace-ring';

const [modeArg = 'direct-write', connsArg = '50', sizeArg = '64', secondsArg = '2', ...flags] =
  process.argv.slice(2);
const FLAGS = ['trace', 'sys', 'ab'];
const conns = Number(connsArg);
const size = Number(sizeArg);
const seconds = Number(secondsArg);
if (
  !MODE_NAMES.includes(modeArg as ModeName) ||
  !(Number.isInteger(conns) && conns >= 1 && conns <= 64) ||
  !(Number.isInteger(size) && size >= 1 && size <= 65535) ||
  !(seconds > 0 && seconds <= 60) ||
  flags.some((f) => !FLAGS.includes(f))
) {
  console.error('usage: loop-micro.ts [mode] [conns 1..64] [size 1..65535] [seconds] [trace] [sys] [ab]');
  process.exit(2);
}

const LISTENER = 3;
const FIRST_CONN = 100;
const IN = 0x1;
const OUT = 0x4;
const SYS = flags.includes('sys');
const sysBuf = Buffer.alloc(64);

/** The stub: a listener that hands out `conns` connections, then every connection always readable. */
class StubKernel implements Kernel {
  syscalls = 0;
  /** With `sys`, a real syscall that fails at once. */
  private enter(): void {
    this.syscalls++;
    if (SYS) libc.read(-1, sysBuf, 64);
  }
  /** Reads that returned bytes: requests. */
  reads = 0;
  private accepted = 0;
  private opened = false;
  private stampNs = 0;
  private stampSyscalls = -1;
  now(): number {
    const t = Math.round(monotonicNowNs()); // what the Linux kernel's clock costs
    this.stampNs = t;
    this.stampSyscalls = this.syscalls;
    return t;
  }
  stamp(): number {
    return this.syscalls === this.stampSyscalls ? this.stampNs : this.now();
  }
  busy(): void {}
  pollCreate(): number {
    return 10;
  }
  pollCtl(): number {
    this.enter();
    return 0;
  }
  pollWait(_epfd: number, fds: Int32Array, masks: Uint32Array): number {
    this.enter();
    if (this.accepted < conns) {
      fds[0] = LISTENER;
      masks[0] = IN;
      return 1;
    }
    for (let i = 0; i < conns; i++) {
      fds[i] = FIRST_CONN + i;
      masks[i] = this.opened ? IN : OUT;
    }
    this.opened = true;
    return conns;
  }
  eventfdCreate(): number {
    return 11;
  }
  eventfdWrite(): number {
    return 0;
  }
  eventfdRead(): number {
    return 0;
  }
  accept(_fd: number, peer: { remote: string }): number {
    peer.remote = '127.0.0.1:1';
    return FIRST_CONN + this.accepted++;
  }
  setNonblock(): number {
    return 0;
  }
  read(_fd: number, buf: Uint8Array): number {
    this.enter();
    this.reads++;
    return Math.min(size, buf.length);
  }
  write(_fd: number, _buf: Uint8Array, _off: number, len: number): number {
    this.enter();
    return len;
  }
  recvfrom(): number {
    return -11;
  }
  sendto(): number {
    return -11;
  }
  setKeepAlive(): number {
    return 0;
  }
  detach(): never {
    throw new Error('no detach in the stub');
  }
  close(): number {
    return 0;
  }
}

/** A loop over its own stub kernel, every connection accepted and opened. */
function setUp(traced: boolean) {
  const kernel = new StubKernel();
  const ring = traced ? createRing() : null;
  const reader = ring ? new RingReader(ring) : null;
  const loop = new Loop({
    index: 0,
    loops: 1,
    kernel,
    events: echo(),
    mode: MODES[modeArg as ModeName].flags,
    balance: 'round-robin',
    listeners: [
      { fd: LISTENER, index: 0, addr: '127.0.0.1:1', network: 'tcp', reuseport: false, ownerLoop: 0 },
    ],
    shared: new Int32Array(4),
    tracer: ring ? new RingWriter(ring) : NO_TRACE,
  });
  loop.start();
  while (loop.conns.size < conns) loop.runOnce();
  let traced_ = 0;
  /** Runs for `ms`; returns requests, time, stub syscalls and trace records. */
  const iterate = (ms: number): { requests: number; ms: number; syscalls: number; events: number } => {
    const s0 = kernel.syscalls;
    const r0 = kernel.reads;
    const e0 = traced_;
    const t0 = performance.now();
    let t = t0;
    let k = 0;
    while (t - t0 < ms) {
      loop.runOnce();
      k++;
      if (reader && k % 64 === 0) traced_ += reader.drainRaw(() => {});
      if (k % 4 === 0) t = performance.now();
    }
    if (reader) traced_ += reader.drainRaw(() => {});
    return { requests: kernel.reads - r0, ms: t - t0, syscalls: kernel.syscalls - s0, events: traced_ - e0 };
  };
  return { iterate };
}

const median = (a: number[]): number => a.slice().sort((x, y) => x - y)[a.length >> 1]!;

if (flags.includes('ab')) {
  const off = setUp(false);
  const on = setUp(true);
  const ns: { off: number[]; on: number[] } = { off: [], on: [] };
  for (let round = 0; round < 16; round++) {
    for (const [name, run] of [
      ['off', off],
      ['on', on],
    ] as const) {
      const r = run.iterate(150);
      if (round >= 2) ns[name].push((r.ms * 1e6) / r.requests);
    }
  }
  const [a, b] = [median(ns.off), median(ns.on)];
  console.log(
    JSON.stringify(
      {
        mode: modeArg,
        conns,
        size,
        sys: SYS,
        nsPerRequestOff: Math.round(a),
        nsPerRequestOn: Math.round(b),
        tracerNsPerRequest: Math.round(b - a),
        onOverOff: Number((a / b).toFixed(3)),
      },
      null,
      2,
    ),
  );
  process.exit(0);
}

const traced = flags.includes('trace');
const main = setUp(traced);
main.iterate(500);
const r = main.iterate(seconds * 1000);
const requests = r.requests;
const nsPerReq = (r.ms * 1e6) / requests;

/** ns per call of `fn`, best of 5 runs of `n` calls. */
function time(n: number, fn: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  let sink: unknown = null;
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink = fn();
    best = Math.min(best, ((performance.now() - t0) * 1e6) / n);
  }
  if (sink === Symbol.iterator) console.log('');
  return best;
}
const packet = new Uint8Array(65535);
const page = new Uint8Array(size);
const readBuf = Buffer.alloc(64 * 1024);
const pieces = {
  'packet.slice(0, size): the copy Data gets': time(2e5, () => packet.slice(0, size)),
  'page.set(input): the copy into the output page': time(2e5, () => page.set(packet.subarray(0, size))),
  'koffi read(-1, buffer): a failing syscall through koffi': time(2e5, () => libc.read(-1, readBuf, 64)),
  'koffi read(-1, fresh slice): the same with a new array (koffi moves it off the V8 heap first)': time(
    2e5,
    () => libc.read(-1, packet.slice(0, size), 64),
  ),
};
console.log(
  JSON.stringify(
    {
      mode: modeArg,
      conns,
      size,
      requests,
      nsPerRequest: Math.round(nsPerReq),
      stubSyscallsPerRequest: Number((r.syscalls / requests).toFixed(3)),
      sys: SYS,
      tracedEventsPerRequest: traced ? Number((r.events / requests).toFixed(2)) : null,
      pieces: Object.fromEntries(Object.entries(pieces).map(([k, v]) => [k, Math.round(v)])),
    },
    null,
    2,
  ),
);
