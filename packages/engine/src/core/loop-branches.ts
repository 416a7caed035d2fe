/**
 * The branches of evio's dispatch switch, one small function each (spec §2.5-§2.15).
 * `loop.ts` decides which one runs; these do the work and trace every kernel call and decision.
 */
import type { HandlerName } from '@loopscope/trace';
import { Action, type Events } from './api';
import { balanceDecision, genSlot } from './balance';
import { LoopConn } from './conn';
import { actionName, errorText, toAction, toBytes } from './convert';
import { ERRNO, errnoName } from './kernel';
import type { Loop } from './loop';

const EAGAIN = -ERRNO.EAGAIN;
const peer = { remote: '' };
const from: { peer: unknown; remote: string } = { peer: null, remote: '' };

/** A listener is readable: balance, then one accept4 (level-triggering brings the next one). */
export function loopAccept(l: Loop, fd: number): void {
  const ln = l.listeners.get(fd);
  if (!ln) return; // evio ignores an fd that matches no listener
  const declined = ln.ownerLoop === null ? balanceDecision(l.balance, l.shared, l.index, l.loops) : null;
  if (declined !== null) {
    if (l.tracer.enabled) traceAccept(l, fd, 'declined', null, null, null, declined, null);
    return;
  }
  if (ln.network === 'udp') {
    loopUDPRead(l, fd, ln.index);
    return;
  }
  const nfd = l.kernel.accept(fd, peer);
  if (nfd < 0) {
    if (l.tracer.enabled)
      traceAccept(l, fd, nfd === EAGAIN ? 'eagain' : 'error', null, null, null, null, errnoName(nfd));
    if (nfd !== EAGAIN)
      l.fault('accept4', fd, nfd, 'the loop returns the error: the whole server shuts down');
    return;
  }
  const gen = Atomics.add(l.shared, genSlot(l.loops), 1) + 1;
  if (l.tracer.enabled) traceAccept(l, fd, 'won', nfd, gen, peer.remote, null, null);
  const r = l.kernel.setNonblock(nfd);
  if (l.tracer.enabled) {
    l.trace({ kind: 'sys', name: 'fcntl(F_GETFL)', fd: nfd, gen, ret: r < 0 ? -1 : 2, errno: null });
    l.trace({
      kind: 'sys',
      name: 'fcntl(F_SETFL, O_NONBLOCK)',
      fd: nfd,
      gen,
      ret: r,
      errno: r < 0 ? errnoName(r) : null,
    });
  }
  const c = new LoopConn(nfd, gen, l, ln.index, peer.remote);
  c.localAddr = ln.addr;
  l.conns.set(nfd, c);
  l.addCount(1);
  if (r < 0 || l.ctl('add', nfd, c, l.maskReadWrite()) < 0) {
    loopCloseConn(l, c, errnoName(r < 0 ? r : -ERRNO.EINVAL), 'error');
  }
}

function traceAccept(
  l: Loop,
  listenerFd: number,
  outcome: 'won' | 'declined' | 'eagain' | 'error',
  fd: number | null,
  gen: number | null,
  remote: string | null,
  reason: string | null,
  errno: string | null,
): void {
  l.trace({ kind: 'accept', listenerFd, outcome, fd, gen, remote, reason, errno });
}

/** The first event after accept (normally EPOLLOUT, ready at once): run Opened. */
export function loopOpened(l: Loop, c: LoopConn): void {
  c.opened = true;
  if (l.tracer.enabled) {
    l.trace({
      kind: 'opened',
      fd: c.fd,
      gen: c.gen,
      remote: c.remoteAddr,
      local: c.localAddr,
      addrIndex: c.addrIndex,
    });
  }
  const opened = l.events.opened;
  if (opened) {
    const res = callHandler(l, c, 'opened', 0, opened, c, undefined);
    if (res === undefined) return;
    const out = toBytes(res?.out);
    if (out.length > 0) {
      c.out.replace(out);
      traceOut(l, c, 'opened');
    }
    c.action = toAction(res?.action);
    c.reuse = res?.opts?.reuseInputBuffer === true;
    const keep = res?.opts?.tcpKeepAlive ?? 0;
    if (keep > 0) {
      const r = l.kernel.setKeepAlive(c.fd, Math.trunc(keep / 1000));
      if (l.tracer.enabled) {
        l.trace({
          kind: 'sys',
          name: 'setsockopt(keepalive)',
          fd: c.fd,
          gen: c.gen,
          ret: r,
          errno: r < 0 ? errnoName(r) : null,
        });
      }
    }
  }
  if (c.out.pending === 0 && c.action === Action.None) l.ctl('mod', c.fd, c, l.maskRead());
}

/** One read of at most 65535 bytes, then Data; MOD to read+write if it returned output or an action. */
export function loopRead(l: Loop, c: LoopConn): void {
  do {
    const n = l.kernel.read(c.fd, l.packet);
    if (l.tracer.enabled) traceRead(l, c.fd, c.gen, 'read', n);
    if (n === EAGAIN) return;
    if (n === 0) return loopCloseConn(l, c, null, 'eof');
    if (n < 0) return loopCloseConn(l, c, errnoName(n), 'error');
    if (!handleInput(l, c, n)) return;
    // edge mode reads until EAGAIN, but never past a reply that is waiting to be written.
  } while (l.mode.edge && c.out.pending === 0 && c.action === Action.None && !l.stopped);
  if (l.mode.directWrite && c.out.pending > 0) {
    writeNow(l, c);
    return;
  }
  if (c.out.pending > 0 || c.action !== Action.None) l.ctl('mod', c.fd, c, l.maskReadWrite());
}

/** Data for `n` bytes in the read buffer. Returns false if the conn is gone. */
function handleInput(l: Loop, c: LoopConn, n: number): boolean {
  const data = l.events.data;
  if (!data) return true; // evio discards input when there is no Data handler
  const input = c.reuse ? l.packet.subarray(0, n) : l.packet.slice(0, n);
  const res = callHandler(l, c, 'data', n, data, c, input);
  if (res === undefined) return false;
  c.action = toAction(res?.action);
  const out = toBytes(res?.out);
  if (out.length > 0) {
    if (l.mode.directWrite) c.out.append(out);
    else {
      // evio: out = append(c.out[:0], out...). Empty here unless the dispatch order let a read in.
      const lost = c.out.truncateCopy(out);
      if (lost > 0 && l.tracer.enabled)
        l.trace({ kind: 'overwrite', fd: c.fd, gen: c.gen, lost, path: 'read' });
    }
    traceOut(l, c, 'data');
  }
  return true;
}

/** direct-write: write right after Data; ask for EPOLLOUT only if the kernel did not take it all. */
function writeNow(l: Loop, c: LoopConn): void {
  if (writeOnce(l, c) < 0) return;
  if (c.out.pending > 0) {
    l.ctl('mod', c.fd, c, l.maskReadWrite());
    return;
  }
  if (c.action !== Action.None) loopAction(l, c);
}

/** Output is pending: one write of the whole buffer (until EAGAIN in edge mode). */
export function loopWrite(l: Loop, c: LoopConn): void {
  let n: number;
  do {
    n = writeOnce(l, c);
    if (n < 0) return;
  } while (l.mode.edge && c.out.pending > 0 && n > 0);
  if (c.out.pending > 0) return;
  if (c.action === Action.None) l.ctl('mod', c.fd, c, l.maskRead());
  // Edge-triggered: no further event will come for a drained fd, so act now.
  else if (l.mode.edge) loopAction(l, c);
}

/** One write(2) of everything pending. Returns the bytes written, 0 on EAGAIN, -1 if the conn was closed. */
function writeOnce(l: Loop, c: LoopConn): number {
  l.events.preWrite?.();
  const asked = c.out.pending;
  const n = l.kernel.write(c.fd, c.out.bytes, c.out.offset, asked);
  if (l.tracer.enabled) traceWrite(l, c.fd, c.gen, 'write', asked, n);
  if (n === EAGAIN) return 0;
  if (n < 0) {
    loopCloseConn(l, c, errnoName(n), 'error');
    return -1;
  }
  c.out.consume(n);
  traceOut(l, c, 'write');
  return n;
}

/** Output is drained and an action is pending: carry it out. */
export function loopAction(l: Loop, c: LoopConn): void {
  const a = c.action;
  if (l.tracer.enabled) l.trace({ kind: 'action', fd: c.fd, gen: c.gen, action: actionName(a) });
  if (a === Action.Close) return loopCloseConn(l, c, null, 'action');
  if (a === Action.Detach) return loopDetachConn(l, c);
  if (a === Action.Shutdown) return l.stop('shutdown');
  c.action = Action.None;
  if (c.out.pending === 0) l.ctl('mod', c.fd, c, l.maskRead());
}

/** A wake note: Data(c, nil). In evio its output *replaces* pending output: the real loss. */
export function loopWake(l: Loop, fd: number, gen: number): void {
  const c = l.conns.get(fd);
  if (!c || c.gen !== gen) return; // closed, detached or stale: evio ignores it
  const data = l.events.data;
  if (!data) return;
  const res = callHandler(l, c, 'wake', 0, data, c, null);
  if (res === undefined) return;
  c.action = toAction(res?.action); // unconditional overwrite, as evio
  const out = toBytes(res?.out);
  if (out.length > 0) {
    if (l.mode.fixedWake) c.out.append(out);
    else {
      const lost = c.out.replace(out);
      if (lost > 0 && l.tracer.enabled)
        l.trace({ kind: 'overwrite', fd: c.fd, gen: c.gen, lost, path: 'wake' });
    }
    traceOut(l, c, 'wake');
  }
  if (c.out.pending > 0 || c.action !== Action.None) l.ctl('mod', c.fd, c, l.maskReadWrite());
}

/** The tick note (loop 0): call Tick and schedule the next one `delay` ms after it returned. */
export function loopTick(l: Loop): void {
  const tick = l.events.tick;
  if (!tick) return;
  const res = callHandler(l, null, 'tick', 0, tick, undefined, undefined);
  if (res === undefined) return;
  l.nextTickAt = l.kernel.now() + Math.max(0, res?.delay ?? 0) * 1e6;
  if (toAction(res?.action) === Action.Shutdown) l.stop('shutdown');
}

/** Close the fd (no EPOLL_CTL_DEL: close removes it), drop pending output, then Closed. */
export function loopCloseConn(
  l: Loop,
  c: LoopConn,
  err: string | null,
  reason: 'eof' | 'action' | 'error' | 'shutdown',
): void {
  l.addCount(-1);
  l.conns.delete(c.fd);
  const discarded = c.out.clear();
  const r = l.kernel.close(c.fd);
  if (l.tracer.enabled) {
    l.trace({
      kind: 'close',
      fd: c.fd,
      gen: c.gen,
      reason,
      errno: err ?? (r < 0 ? errnoName(r) : null),
      discarded,
    });
  }
  const closed = l.events.closed;
  if (!closed) return;
  const a = callHandler(l, c, 'closed', 0, closed, c, err);
  if (toAction(a) === Action.Shutdown && reason !== 'shutdown') l.stop('shutdown');
}

/** Detach: EPOLL_CTL_DEL, blocking again, and hand the socket to Detached (or Close without it). */
function loopDetachConn(l: Loop, c: LoopConn): void {
  const detached = l.events.detached;
  if (!detached) return loopCloseConn(l, c, null, 'action');
  l.ctl('del', c.fd, c, 0);
  l.addCount(-1);
  l.conns.delete(c.fd);
  const rwc = l.kernel.detach(c.fd);
  if (l.tracer.enabled)
    l.trace({ kind: 'sys', name: 'fcntl(F_SETFL, blocking)', fd: c.fd, gen: c.gen, ret: 0, errno: null });
  const a = callHandler(l, c, 'detached', 0, detached, c, rwc);
  if (toAction(a) === Action.Shutdown) l.stop('shutdown');
}

/** A datagram: one recvfrom, Data with a throwaway conn, one sendto of the reply. */
function loopUDPRead(l: Loop, fd: number, index: number): void {
  const n = l.kernel.recvfrom(fd, l.packet, from);
  if (l.tracer.enabled) traceRead(l, fd, null, 'recvfrom', n);
  const data = l.events.data;
  if (n <= 0 || !data) return; // errors and empty datagrams are ignored, as in evio
  const c = new LoopConn(fd, 0, l, index, from.remote);
  const res = callHandler(l, null, 'data', n, data, c, l.packet.slice(0, n));
  if (res === undefined) return;
  const out = toBytes(res?.out);
  if (out.length > 0) {
    l.events.preWrite?.();
    const w = l.kernel.sendto(fd, out, out.length, from.peer);
    if (l.tracer.enabled) traceWrite(l, fd, null, 'sendto', out.length, w);
  }
  if (toAction(res?.action) === Action.Shutdown) l.stop('shutdown');
}

/** A read (or recvfrom) that returned `n` (bytes, or -errno). */
function traceRead(l: Loop, fd: number, gen: number | null, sys: 'read' | 'recvfrom', n: number): void {
  const result = n > 0 ? 'data' : n === 0 ? 'eof' : n === EAGAIN ? 'eagain' : 'error';
  const errno = n < 0 ? errnoName(n) : null;
  l.tracer.read(l.kernel.stamp(), l.index, fd, gen, sys, l.packet.length, Math.max(0, n), result, errno);
}

/** A write (or sendto) of `asked` bytes that returned `n` (bytes, or -errno). */
function traceWrite(
  l: Loop,
  fd: number,
  gen: number | null,
  sys: 'write' | 'sendto',
  asked: number,
  n: number,
): void {
  const result = n === asked ? 'full' : n >= 0 ? 'partial' : n === EAGAIN ? 'eagain' : 'error';
  const errno = n < 0 ? errnoName(n) : null;
  l.tracer.write(l.kernel.stamp(), l.index, fd, gen, sys, asked, Math.max(0, n), result, errno);
}

function traceOut(l: Loop, c: LoopConn, cause: 'opened' | 'data' | 'wake' | 'write'): void {
  if (l.tracer.enabled) l.tracer.out(l.kernel.stamp(), l.index, c.fd, c.gen, c.out.pending, cause);
}

type HandlerOut = { out?: Uint8Array | string | null; action?: Action } | Action | undefined | void;

/**
 * Runs a handler as `fn.call(events, a, b)`, timed and traced (no closure per call: this runs for
 * every request). A handler that throws closes its conn (or, for Tick, is traced) instead of
 * killing the loop. Returns undefined if it threw, else its result (null for a handler that
 * returned nothing).
 */
function callHandler<A, B, R>(
  l: Loop,
  c: LoopConn | null,
  handler: HandlerName,
  inBytes: number,
  fn: (this: Events, a: A, b: B) => R,
  a: A,
  b: B,
): R | null | undefined {
  // No syscall since the last reading is the usual case here (the read before Data): no clock read.
  const t0 = l.tracer.enabled ? l.kernel.stamp() : 0;
  let res: R;
  try {
    res = fn.call(l.events, a, b);
  } catch (err) {
    l.fault(
      `${handler} handler threw: ${errorText(err)}`,
      c ? c.fd : null,
      null,
      'a panic in a callback crashes the process',
    );
    if (c && l.conns.get(c.fd) === c) loopCloseConn(l, c, errorText(err), 'error');
    return undefined;
  }
  if (l.tracer.enabled) {
    const t = l.kernel.now();
    const r = res as HandlerOut;
    const obj = typeof r === 'object' && r !== null ? r : null;
    const out = obj ? obj.out : null;
    const outBytes = out == null ? 0 : typeof out === 'string' ? toBytes(out).length : out.length;
    const action = actionName(toAction(obj ? obj.action : r));
    l.tracer.handler(
      t,
      l.index,
      handler,
      c ? c.fd : null,
      c ? c.gen : null,
      Math.max(0, t - t0),
      inBytes,
      outBytes,
      action,
    );
  }
  return res ?? null;
}
