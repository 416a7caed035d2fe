/**
 * accept / accept4, the read and write families, close, eventfd, fcntl, shutdown and the other
 * socket calls -> accept, read, write, eventfd, close and sys events.
 */
import type { ReadResult, TraceEventDraft, WriteResult } from '../events';
import { iovecSum, parseIntArg, parseSockaddr, sockaddrNetwork } from './args';
import type { Call, Model } from './model';
import type { LoopRef } from './queue';
import { type Epoll, type OpenAccept, type Proc, rootOf, type Thread } from './world';

/** The epoll a conn fd is registered in; its thread then runs that loop (Go moves goroutines). */
function ownerLoop(m: Model, th: Thread, fd: number): LoopRef | null {
  const ep = th.proc.owner.get(fd);
  if (ep !== undefined) m.enterLoop(th, ep);
  return m.loopOf(th);
}

/**
 * A call on a thread that runs no loop, on an fd that is no conn or epoll (program start-up:
 * reading libraries, config files): not part of the loop model, kept as an `other` event so that
 * loop statistics (syscalls per request) mean what they mean for engine recordings.
 */
function outsideLoops(m: Model, c: Call, loop: LoopRef | null, kind: string | undefined): boolean {
  if (loop !== null || kind === 'conn' || kind === 'epoll' || kind === 'listener') return false;
  m.other(c.t, c.th, c.name, `${c.text} = ${c.res.ret}`);
  return true;
}

/** The loop whose wake fd is `fd`, if any. */
function wakeTarget(proc: Proc, fd: number): Epoll | null {
  for (const ep of proc.epolls.values()) if (ep.wakeFd === fd) return ep;
  return null;
}

/**
 * accept / accept4. Its loop is placed later: a won accept goes to the loop whose epoll the new
 * conn joins, a failed one to the loop its thread runs next (Go hands loop goroutines between
 * threads right after epoll_wait returns, so the thread's previous loop is not a safe guess).
 */
export function accept(m: Model, c: Call): void {
  const lfd = parseIntArg(c.args[0]) ?? -1;
  const th = c.th;
  m.world.fdFor(th, lfd);
  const proc = th.proc;
  const v = c.res.value ?? -1;
  let fd: number | null = null;
  let gen: number | null = null;
  const addr = c.args[1] ?? '';
  if (v >= 0) {
    forget(m, proc, v);
    fd = v;
    gen = (proc.gens.get(v) ?? 0) + 1;
    proc.gens.set(v, gen);
    proc.fds.set(v, { kind: 'conn', gen, last: null });
  }
  if (v >= 0 || c.res.errno === 'EAGAIN')
    learnListener(m, proc, lfd, sockaddrNetwork(addr) ?? 'unknown', c.t);
  const outcome = v >= 0 ? 'won' : c.res.errno === 'EAGAIN' ? 'eagain' : 'error';
  const ev: TraceEventDraft = {
    kind: 'accept',
    t: c.t,
    loop: -1,
    listenerFd: lfd,
    outcome,
    fd,
    gen,
    remote: v >= 0 ? parseSockaddr(addr) : null,
    reason: null,
    errno: c.res.errno,
  };
  const fallback = m.loopOf(th);
  const open: OpenAccept = {
    lfd,
    t: c.t,
    slot: m.queue.slot(() => [{ ev, loop: fallback, target: null, noise: null }]),
  };
  if (v >= 0) proc.wonAccepts.set(v, open);
  else {
    // Accepts of a thread that never runs a loop (a blocking acceptor) were forced out: forget them.
    if (th.openAccepts.length >= 64) th.openAccepts = th.openAccepts.filter((a) => !a.slot.resolved);
    th.openAccepts.push(open);
  }
}

/** `lfd` was accepted on: it is a listener. Emits `listener` for each loop that registered it. */
function learnListener(m: Model, proc: Proc, lfd: number, network: string, t: number): void {
  const info = proc.fds.get(lfd);
  if (info?.kind === 'listener') return;
  proc.fds.set(lfd, { kind: 'listener', gen: null, last: null });
  const index = proc.listeners.length;
  proc.listeners.push(lfd);
  const cand = proc.candidates.get(lfd);
  proc.candidates.delete(lfd);
  for (const a of cand?.adds ?? []) {
    if (!a.slot.resolved) a.slot.resolve([m.listenerItem(a.ep, lfd, index, network, a.t)]);
  }
  for (const d of cand?.declines ?? []) d.wake.slot.resolve([m.declined(d.ep, lfd, d.wake.t)]);
  // Places forced out of the queue earlier: the listener is announced now, where it was learnt.
  for (const ep of proc.epolls.values()) {
    if (ep.interest.has(lfd) && !ep.listenersEmitted.has(lfd) && ep.ref.state !== 'filtered') {
      const q = m.listenerItem(ep, lfd, index, network, t);
      m.emit(q.ev, q.loop);
    }
  }
}

const READ_CALLS = new Set(['read', 'recvfrom', 'readv', 'recv']);

export function readOrWrite(m: Model, c: Call): void {
  const fd = parseIntArg(c.args[0]) ?? -1;
  const th = c.th;
  const info = m.world.fdFor(th, fd);
  const proc = th.proc;
  const isRead = READ_CALLS.has(c.name);
  m.dropCandidate(proc.candidates, fd);
  const v = c.res.value ?? -1;
  if (info?.kind === 'eventfd') {
    const target = wakeTarget(proc, fd);
    const loop = isRead && target !== null ? target.ref : m.loopOf(th);
    m.emit(
      { kind: 'eventfd', t: c.t, loop: -1, op: isRead ? 'read' : 'write', fd, target: -1 },
      loop,
      target?.ref ?? null,
    );
    return;
  }
  const loop = ownerLoop(m, th, fd);
  if (outsideLoops(m, c, loop, info?.kind)) return;
  const gen = info?.kind === 'conn' ? info.gen : null;
  const size = c.name.endsWith('v') ? (iovecSum(c.args[1] ?? '')?.sum ?? null) : parseIntArg(c.args[2]);
  if (isRead) {
    const result: ReadResult =
      v > 0 ? 'data' : v === 0 ? 'eof' : c.res.errno === 'EAGAIN' ? 'eagain' : 'error';
    if (info?.kind === 'conn' && (result === 'eof' || result === 'error')) info.last = result;
    const max = size ?? Math.max(v, 0);
    m.emit(
      {
        kind: 'read',
        t: c.t,
        loop: -1,
        fd,
        gen,
        sys: c.name,
        max,
        bytes: Math.max(v, 0),
        result,
        errno: c.res.errno,
      },
      loop,
    );
    return;
  }
  const written = Math.max(v, 0);
  const asked = Math.max(size ?? written, written);
  let result: WriteResult = written < asked ? 'partial' : 'full';
  if (v < 0) result = c.res.errno === 'EAGAIN' ? 'eagain' : 'error';
  if (info?.kind === 'conn' && result === 'error') info.last = 'error';
  m.emit(
    { kind: 'write', t: c.t, loop: -1, fd, gen, sys: c.name, asked, written, result, errno: c.res.errno },
    loop,
  );
}

export function close(m: Model, c: Call): void {
  const fd = parseIntArg(c.args[0]) ?? -1;
  const th = c.th;
  const info = m.world.fdFor(th, fd);
  const proc = th.proc;
  const loop = ownerLoop(m, th, fd);
  const ok = c.res.value === 0;
  const won = proc.wonAccepts.get(fd);
  if (won !== undefined && th.current !== null) m.placeAccept(won, th.current);
  proc.wonAccepts.delete(fd);
  if (info?.kind === 'conn' && info.gen !== null) {
    const reason = info.last ?? 'action';
    m.emit(
      { kind: 'close', t: c.t, loop: -1, fd, gen: info.gen, reason, errno: c.res.errno, discarded: 0 },
      loop,
    );
  } else if (!outsideLoops(m, c, loop, info?.kind)) {
    const ep = info?.kind === 'epoll' ? proc.epolls.get(fd) : undefined;
    const noise = ep === undefined ? null : { name: 'close', detail: `epfd ${fd}` };
    const ev = {
      kind: 'sys',
      t: c.t,
      loop: -1,
      name: 'close',
      fd,
      gen: null,
      ret: c.res.value ?? -1,
      errno: c.res.errno,
    } as const;
    m.emit(ev, ep?.ref ?? loop, null, noise);
  }
  if (ok) forget(m, proc, fd);
}

/** A closed fd leaves every table; its generation counter stays for the next conn on it. */
export function forget(m: Model, proc: Proc, fd: number): void {
  const ep = proc.epolls.get(fd);
  if (ep !== undefined) {
    if (!ep.decided) {
      ep.decided = true;
      ep.ref.state = 'filtered';
      m.dropCandidatesOf(ep);
    }
    m.settleWakes(ep);
    ep.stopped = true;
    proc.epolls.delete(fd);
  }
  proc.fds.delete(fd);
  proc.owner.delete(fd);
  m.dropCandidate(proc.candidates, fd);
  for (const e of proc.epolls.values()) {
    e.interest.delete(fd);
    e.pendingWakes.get(fd)?.slot.resolve([]);
    e.pendingWakes.delete(fd);
  }
}

/** fcntl, eventfd2, shutdown, dup, socket calls: `sys` events; fds they create are tracked. */
export function sysCall(m: Model, c: Call): void {
  const th = c.th;
  const first = parseIntArg(c.args[0]);
  const creates =
    c.name.startsWith('eventfd') ||
    c.name.startsWith('dup') ||
    (/^fcntl$/.test(c.name) && /F_DUPFD/.test(c.args[1] ?? '')) ||
    c.name === 'socket';
  const v = c.res.value ?? -1;
  // A new fd number says nothing about which process the thread belongs to: no lookup for it.
  const newFd = c.name.startsWith('eventfd') || c.name === 'socket';
  const fdArg = newFd ? v : first;
  const info = fdArg === null || fdArg < 0 || newFd ? null : m.world.fdFor(th, fdArg);
  const proc = rootOf(th.proc);
  if (creates && v >= 0) {
    forget(m, proc, v);
    proc.fds.set(v, { kind: c.name.startsWith('eventfd') ? 'eventfd' : 'other', gen: null, last: null });
  }
  const loop = fdArg !== null && fdArg >= 0 ? ownerLoop(m, th, fdArg) : m.loopOf(th);
  if (outsideLoops(m, c, loop, info?.kind)) return;
  const gen = info?.kind === 'conn' ? info.gen : null;
  m.emit(
    {
      kind: 'sys',
      t: c.t,
      loop: -1,
      name: c.name,
      fd: fdArg !== null && fdArg >= 0 ? fdArg : null,
      gen,
      ret: v,
      errno: c.res.errno,
    },
    loop,
  );
}

/** clone / fork / vfork: places the child thread in its process. */
export function cloneCall(m: Model, c: Call): void {
  const child = c.res.value ?? -1;
  if (child > 0) {
    const shares = c.name === 'clone' || c.name === 'clone3' ? /CLONE_(FILES|THREAD)/.test(c.text) : false;
    m.world.cloned(c.th, child, shares);
  }
  m.other(c.t, c.th, c.name, `${c.text} = ${c.res.ret}`);
}
