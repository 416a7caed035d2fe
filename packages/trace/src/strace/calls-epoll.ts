/**
 * epoll_create / epoll_create1, epoll_ctl, epoll_wait / epoll_pwait / epoll_pwait2 -> loop-start,
 * ctl, wait-enter and wait-return events (and `listener` / `declined` places in the queue).
 */
import type { CtlOp } from '../events';
import { parseArray, parseEpollEvent, parseIntArg, structField } from './args';
import type { Call, Model } from './model';
import type { QItem } from './queue';
import { type Epoll, rootOf, type Thread } from './world';

const CTL_OPS: Record<string, CtlOp> = { EPOLL_CTL_ADD: 'add', EPOLL_CTL_MOD: 'mod', EPOLL_CTL_DEL: 'del' };

/** Names of the waiting calls. */
export const WAIT_CALLS: ReadonlySet<string> = new Set(['epoll_wait', 'epoll_pwait', 'epoll_pwait2']);

export function epollCreate(m: Model, c: Call): void {
  const fd = c.res.value ?? -1;
  if (fd < 0) {
    m.emit(
      { kind: 'sys', t: c.t, loop: -1, name: c.name, fd: null, gen: null, ret: fd, errno: c.res.errno },
      m.loopOf(c.th),
    );
    return;
  }
  const ep = m.newEpoll(c.th, fd, c.t, c.name);
  c.th.current = ep;
}

export function epollCtl(m: Model, c: Call): void {
  const epfd = parseIntArg(c.args[0]);
  const op = CTL_OPS[c.args[1] ?? ''];
  const fd = parseIntArg(c.args[2]);
  if (epfd === null || op === undefined || fd === null) {
    m.other(c.t, c.th, c.name, `unreadable arguments: ${c.text}`);
    return;
  }
  const ep = m.epoll(c.th, epfd, c.t);
  const proc = rootOf(ep.proc);
  const info = proc.fds.get(fd);
  const event = op === 'del' ? null : parseEpollEvent(c.args[3] ?? '');
  const old = ep.interest.get(fd) ?? 0;
  const mask = event === null ? 0 : event.mask;
  const ok = c.res.value === 0;
  if (ok && op === 'add' && ep.ref.state !== 'filtered') noteListener(m, ep, fd, c.t);
  if (ok) {
    if (op === 'del') {
      ep.interest.delete(fd);
      if (proc.owner.get(fd) === ep) proc.owner.delete(fd);
    } else {
      ep.interest.set(fd, mask);
      if (event?.u64 != null) ep.data.set(event.u64, fd);
      if (info?.kind === 'conn') proc.owner.set(fd, ep);
      if (info?.kind === 'eventfd' && ep.wakeFd < 0) {
        ep.wakeFd = fd;
        if (ep.loopStart !== null) ep.loopStart.wakeFd = fd;
      }
    }
  }
  m.enterLoop(c.th, ep);
  const won = ok && op === 'add' ? proc.wonAccepts.get(fd) : undefined;
  if (won !== undefined) {
    proc.wonAccepts.delete(fd);
    m.placeAccept(won, ep);
  }
  m.emit(
    {
      kind: 'ctl',
      t: c.t,
      loop: -1,
      epfd,
      op,
      fd,
      gen: info?.kind === 'conn' ? info.gen : null,
      old,
      new: op === 'del' ? 0 : mask,
      errno: c.res.errno,
    },
    ep.ref,
    null,
    ep.ref.state === 'loop' ? null : { name: c.name, detail: `${c.text} = ${c.res.ret}` },
  );
}

/** Before an ADD: a known listener gets its `listener` event; an fd of unknown origin may be one. */
function noteListener(m: Model, ep: Epoll, fd: number, t: number): void {
  const proc = rootOf(ep.proc);
  const kind = proc.fds.get(fd)?.kind;
  if (kind === 'listener') {
    if (!ep.listenersEmitted.has(fd)) {
      if (!proc.listeners.includes(fd)) proc.listeners.push(fd);
      const q = m.listenerItem(ep, fd, proc.listeners.indexOf(fd), 'unknown', t);
      m.emit(q.ev, q.loop);
    }
    return;
  }
  if (kind === 'conn' || kind === 'eventfd' || kind === 'epoll') return;
  let cand = proc.candidates.get(fd);
  if (cand === undefined) {
    cand = { adds: [], declines: [] };
    proc.candidates.set(fd, cand);
  }
  if (cand.adds.length >= 64) cand.adds = cand.adds.filter((a) => !a.slot.resolved);
  cand.adds.push({ ep, slot: m.queue.slot(), t });
}

/**
 * The start of a wait (its line, or the first half of a split one): the loop waits again, so
 * listener wake-ups it did not accept on are settled.
 */
export function waitStart(m: Model, th: Thread, argsText: string, t: number): Epoll | null {
  const epfd = parseIntArg(argsText);
  if (epfd === null) return null;
  const ep = m.epoll(th, epfd, t);
  m.enterLoop(th, ep);
  m.settleWakes(ep);
  return ep;
}

/** Milliseconds of an epoll_pwait2 timespec (`{tv_sec=1, tv_nsec=0}`), -1 for NULL. */
function timespecMs(s: string): number | null {
  if (s === 'NULL') return -1;
  const sec = parseIntArg(structField(s, 'tv_sec') ?? undefined);
  const nsec = parseIntArg(structField(s, 'tv_nsec') ?? undefined);
  return sec === null || nsec === null ? null : sec * 1000 + Math.floor(nsec / 1e6);
}

export function epollWait(m: Model, c: Call): void {
  const ep = c.enterSlot === null ? waitStart(m, c.th, c.text, c.startT) : c.waitEp;
  const max = parseIntArg(c.args[2]);
  const timeoutMs = c.name === 'epoll_pwait2' ? timespecMs(c.args[3] ?? '') : parseIntArg(c.args[3]);
  if (ep === null || max === null || timeoutMs === null || c.res.value === null) {
    // Cut off (`= ?`) or unreadable: what the log does not say stays out of wait-enter.
    const q: QItem = {
      ev: { kind: 'other', t: c.startT, loop: -1, name: c.name, detail: `no result: ${c.text}` },
      loop: ep?.ref ?? null,
      target: null,
      noise: null,
    };
    if (c.enterSlot !== null) c.enterSlot.resolve([q]);
    else m.emit(q.ev, q.loop);
    return;
  }
  m.decide(c.th, ep, timeoutMs, c.t);
  // What the call becomes if its epoll is a filtered runtime poller (not needed for a loop).
  const noise = ep.ref.state === 'loop' ? null : { name: c.name, detail: `${c.text} = ${c.res.ret}` };
  m.enterLoop(c.th, ep);
  const enter: QItem = {
    ev: { kind: 'wait-enter', t: c.startT, loop: -1, epfd: ep.fd, max, timeoutMs },
    loop: ep.ref,
    target: null,
    noise,
  };
  if (c.enterSlot !== null) c.enterSlot.resolve([enter]);
  else m.emit(enter.ev, enter.loop, null, noise);
  const ready = readyList(ep, c.args[1] ?? '');
  const blockedNs = c.res.durNs ?? (c.enterSlot !== null ? c.t - c.startT : -1);
  const n = c.res.value;
  const part = noise === null ? null : { ...noise, part: true };
  m.emit(
    { kind: 'wait-return', t: c.t, loop: -1, n, ready, errno: c.res.errno, blockedNs },
    ep.ref,
    null,
    part,
  );
  if (ep.ref.state !== 'filtered') holdListenerWakes(m, ep, ready, c.t);
}

/** Flattened `[fd, mask]` pairs; fds resolved through the data registered with epoll_ctl. */
function readyList(ep: Epoll, text: string): number[] {
  const items = parseArray(text);
  const out: number[] = [];
  if (items === null) return out;
  for (const item of items) {
    const e = parseEpollEvent(item);
    if (e === null) continue;
    const byData = e.u64 === null ? undefined : ep.data.get(e.u64);
    const fd = byData ?? (e.u32 !== null && ep.interest.has(e.u32) ? e.u32 : (e.u32 ?? -1));
    out.push(fd, e.mask);
  }
  return out;
}

/** Keeps a place after a wake-up on a listener for the `declined` the loop's next wait may reveal. */
function holdListenerWakes(m: Model, ep: Epoll, ready: number[], t: number): void {
  const proc = rootOf(ep.proc);
  for (let i = 0; i < ready.length; i += 2) {
    const fd = ready[i]!;
    if (proc.fds.get(fd)?.kind !== 'listener' && !proc.candidates.has(fd)) continue;
    if (!ep.pendingWakes.has(fd)) ep.pendingWakes.set(fd, { slot: m.queue.slot(), t });
  }
}
