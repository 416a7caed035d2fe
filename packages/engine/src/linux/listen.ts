/**
 * Listening sockets for `serve`, made with real syscalls on the main thread before any loop runs.
 *
 * TCP: `socket(SOCK_NONBLOCK|SOCK_CLOEXEC)`, SO_REUSEADDR (as Go's net.Listen), SO_REUSEPORT when
 * asked, IPV6_V6ONLY on for tcp6 and off for tcp (dual stack, as Go), bind, listen with Go's
 * backlog (somaxconn capped at 65535). UDP: the same without listen. unix: the path is removed
 * before bind and again by `closeListeners` (evio's `os.RemoveAll`).
 * In `reuseport` mode each TCP/UDP address gets one socket per loop, all bound to the port the
 * first one got, each owned by one loop; unix listeners stay shared (a path cannot be shared).
 */
import { readFileSync, rmSync } from 'node:fs';
import { errnoName } from '../core/kernel';
import type { ListenerSpec } from '../core/loop-types';
import { type ParsedAddress, parseAddress } from './address';
import { K, libc } from './libc';
import { encodeInet, encodeUnix, formatSockaddr, SOCKADDR_MAX } from './sockaddr';

/** One syscall made while listening (for the trace: loop -1). */
export interface ListenSyscall {
  name: string;
  fd: number | null;
  ret: number;
}

/** Options of `listenAll`. */
export interface ListenOptions {
  /** Number of loops (used in reuseport mode). */
  loops: number;
  /** `ModeFlags.reuseport`: one listener per loop. */
  perLoop: boolean;
  /** Called after every syscall. */
  onSyscall?: (call: ListenSyscall) => void;
}

/** Go's listen backlog: /proc/sys/net/core/somaxconn, capped at 65535. */
export function listenBacklog(): number {
  try {
    const n = Number.parseInt(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim(), 10);
    return Number.isFinite(n) && n > 0 ? Math.min(n, 65535) : 128;
  } catch {
    return 128;
  }
}

class Calls {
  constructor(private readonly on?: (c: ListenSyscall) => void) {}
  do(name: string, fd: number | null, r: number, what: string): number {
    this.on?.({ name, fd, ret: r });
    if (r < 0) throw new Error(`${what}: ${name} failed: ${errnoName(r)}`);
    return r;
  }
}

function setInt(calls: Calls, fd: number, level: number, opt: number, v: number, name: string, what: string) {
  calls.do(name, fd, libc.setsockopt(fd, level, opt, new Int32Array([v]), 4), what);
}

/** Creates one bound socket; returns its fd and the bound address text. */
function openOne(
  p: ParsedAddress,
  port: number,
  reuseport: boolean,
  calls: Calls,
): { fd: number; addr: string } {
  const sa = Buffer.alloc(SOCKADDR_MAX);
  const unix = p.network === 'unix';
  const v6 = !unix && p.ip.length === 16;
  const family = unix ? K.AF_UNIX : v6 ? K.AF_INET6 : K.AF_INET;
  const type = (p.network === 'udp' ? K.SOCK_DGRAM : K.SOCK_STREAM) | K.SOCK_NONBLOCK | K.SOCK_CLOEXEC;
  const what = `listen ${p.text}`;
  const fd = calls.do('socket', null, libc.socket(family, type, 0), what);
  try {
    if (p.network !== 'udp' && !unix)
      setInt(calls, fd, K.SOL_SOCKET, K.SO_REUSEADDR, 1, 'setsockopt(SO_REUSEADDR)', what);
    if (reuseport) {
      if (p.network === 'udp')
        setInt(calls, fd, K.SOL_SOCKET, K.SO_REUSEADDR, 1, 'setsockopt(SO_REUSEADDR)', what);
      setInt(calls, fd, K.SOL_SOCKET, K.SO_REUSEPORT, 1, 'setsockopt(SO_REUSEPORT)', what);
    }
    if (v6)
      setInt(
        calls,
        fd,
        K.IPPROTO_IPV6,
        K.IPV6_V6ONLY,
        p.network === 'tcp6' ? 1 : 0,
        'setsockopt(IPV6_V6ONLY)',
        what,
      );
    let len: number;
    if (unix) {
      // evio removes whatever is there (os.RemoveAll); Loopscope refuses to remove a directory.
      rmSync(p.path, { force: true });
      len = encodeUnix(sa, p.path);
    } else {
      len = encodeInet(sa, p.ip, port);
    }
    calls.do('bind', fd, libc.bind(fd, sa, len), what);
    if (p.network !== 'udp') calls.do('listen', fd, libc.listen(fd, listenBacklog()), what);
    if (unix) return { fd, addr: p.path };
    const outLen = new Uint32Array([SOCKADDR_MAX]);
    calls.do('getsockname', fd, libc.getsockname(fd, sa, outLen), what);
    return { fd, addr: formatSockaddr(sa, outLen[0]!) };
  } catch (e) {
    libc.close(fd);
    throw e;
  }
}

/**
 * Parses and binds every address, in order (evio's AddrIndex is the position). On any failure
 * every socket made so far is closed and the error is thrown.
 */
export function listenAll(addrs: string[], opts: ListenOptions): ListenerSpec[] {
  const calls = new Calls(opts.onSyscall);
  const specs: ListenerSpec[] = [];
  try {
    addrs.forEach((text, index) => {
      const p = parseAddress(text);
      const perLoop = opts.perLoop && p.network !== 'unix';
      const first = openOne(p, p.port, p.reuseport || perLoop, calls);
      const base = { index, network: p.network, reuseport: p.reuseport || perLoop, addr: first.addr };
      specs.push({ ...base, fd: first.fd, ownerLoop: perLoop ? 0 : null });
      if (!perLoop) return;
      const port = Number(first.addr.slice(first.addr.lastIndexOf(':') + 1));
      for (let loop = 1; loop < opts.loops; loop++) {
        specs.push({ ...base, fd: openOne(p, port, true, calls).fd, ownerLoop: loop });
      }
    });
  } catch (e) {
    closeListeners(specs);
    throw e;
  }
  return specs;
}

/** Closes listener fds and removes unix socket files (evio does both when Serve returns). */
export function closeListeners(specs: readonly ListenerSpec[]): void {
  for (const s of specs) {
    libc.close(s.fd);
    if (s.network === 'unix') rmSync(s.addr, { force: true });
  }
}
