/** The connection-level events: opened, ctl, read, write, out, overwrite, action, close. */
import {
  type ActionApplied,
  type ConnClosed,
  type ConnOpened,
  type EpollCtl,
  EV,
  type OutputChanged,
  type OutputOverwritten,
  type ReadCall,
  type WriteCall,
} from '@loopscope/trace';
import { ensureLoop, findConn, newConn } from './model';
import type { Model } from './types';

/** Closed connections kept per loop so the stage can show how they ended. */
const KEEP_CLOSED = 6;
/** EAGAIN timestamps kept for the spin rate. */
const KEEP_EAGAIN = 2048;

export function applyOpened(m: Model, ev: ConnOpened): void {
  const loop = ensureLoop(m, ev.loop);
  loop.branch = 'loopOpened';
  let c = findConn(m, ev.loop, ev.fd, ev.gen);
  if (!c) {
    c = newConn(ev.loop, ev.fd, ev.gen, ev.remote, ev.seq);
    m.conns[ev.loop]!.set(ev.fd, c);
  }
  c.phase = 'open';
  c.remote = ev.remote;
}

/** The loop an epoll instance belongs to (events from the server thread carry loop -1). */
function loopOfEpfd(m: Model, ev: EpollCtl): number {
  if (ev.loop >= 0) return ev.loop;
  return m.loops.findIndex((l) => l.epfd === ev.epfd);
}

export function applyCtl(m: Model, ev: EpollCtl): void {
  m.counters.syscalls++;
  if (ev.op === 'add') m.counters.ctlAdd++;
  else if (ev.op === 'mod') m.counters.ctlMod++;
  else m.counters.ctlDel++;
  const loopIndex = loopOfEpfd(m, ev);
  if (loopIndex < 0) return;
  const listener = m.listeners.find((l) => l.fd === ev.fd);
  if (listener && ev.gen === null) {
    if (ev.op === 'del') listener.loops = listener.loops.filter((i) => i !== loopIndex);
    else if (!listener.loops.includes(loopIndex)) listener.loops.push(loopIndex);
    if (ev.op !== 'del' && ev.new & EV.EXCLUSIVE) listener.exclusive = true;
    return;
  }
  const c = findConn(m, loopIndex, ev.fd, ev.gen);
  if (!c) return;
  c.mask = ev.op === 'del' ? 0 : ev.new;
  if (ev.op === 'mod') {
    c.modCount++;
    c.lastModSeq = ev.seq;
  }
}

export function applyRead(m: Model, ev: ReadCall): void {
  m.counters.syscalls++;
  m.counters.reads++;
  m.counters.bytesRead += ev.bytes;
  if (ev.result === 'eagain') m.counters.readEagain++;
  const c = findConn(m, ev.loop, ev.fd, ev.gen);
  if (!c) return;
  ensureLoop(m, ev.loop).branch = 'loopRead';
  c.lastRead = { result: ev.result, bytes: ev.bytes };
  c.bytesIn += ev.bytes;
}

export function applyWrite(m: Model, ev: WriteCall): void {
  m.counters.syscalls++;
  m.counters.writes++;
  m.counters.bytesWritten += ev.written;
  const loop = ensureLoop(m, ev.loop);
  if (ev.result === 'eagain') {
    m.counters.writeEagain++;
    loop.eagainWrites++;
    m.eagainTimes.push(ev.t);
    if (m.eagainTimes.length > KEEP_EAGAIN) m.eagainTimes.splice(0, m.eagainTimes.length - KEEP_EAGAIN);
  } else if (ev.result === 'partial') {
    m.counters.writePartial++;
  }
  const c = findConn(m, ev.loop, ev.fd, ev.gen);
  if (!c) return;
  loop.branch = 'loopWrite';
  c.lastWrite = { result: ev.result, asked: ev.asked, written: ev.written };
  c.bytesOut += ev.written;
  c.eagainStreak = ev.result === 'eagain' ? c.eagainStreak + 1 : 0;
}

export function applyOut(m: Model, ev: OutputChanged): void {
  const c = findConn(m, ev.loop, ev.fd, ev.gen);
  if (!c) return;
  c.pending = ev.pending;
  if (ev.pending > c.peakPending) c.peakPending = ev.pending;
  if (c.phase !== 'closed') c.phase = ev.pending > 0 ? 'writing' : c.action !== 'none' ? 'acting' : 'open';
}

export function applyOverwrite(m: Model, ev: OutputOverwritten): void {
  m.counters.overwrites++;
  m.counters.bytesLost += ev.lost;
  const c = findConn(m, ev.loop, ev.fd, ev.gen);
  if (c) c.lost += ev.lost;
}

export function applyAction(m: Model, ev: ActionApplied): void {
  ensureLoop(m, ev.loop).branch = 'loopAction';
  const c = findConn(m, ev.loop, ev.fd, ev.gen);
  if (!c) return;
  c.action = ev.action;
  c.phase = 'acting';
}

export function applyClose(m: Model, ev: ConnClosed): void {
  m.counters.syscalls++;
  m.counters.closes++;
  const loop = ensureLoop(m, ev.loop);
  loop.branch = 'loopCloseConn';
  const c = findConn(m, ev.loop, ev.fd, ev.gen);
  if (!c || c.phase === 'closed') return;
  c.phase = 'closed';
  c.closeReason = ev.discarded > 0 ? `${ev.reason}, ${ev.discarded} B discarded` : ev.reason;
  c.closedSeq = ev.seq;
  c.pending = 0;
  c.busy = null;
  loop.conns = Math.max(0, loop.conns - 1);
  pruneClosed(m, ev.loop);
}

function pruneClosed(m: Model, loop: number): void {
  const map = m.conns[loop]!;
  const closed = [...map.values()].filter((c) => c.phase === 'closed');
  if (closed.length <= KEEP_CLOSED) return;
  closed.sort((a, b) => a.closedSeq - b.closedSeq);
  for (const c of closed.slice(0, closed.length - KEEP_CLOSED)) map.delete(c.fd);
}
