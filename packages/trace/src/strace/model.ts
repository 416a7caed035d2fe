/**
 * Shared state and helpers of the syscall handlers: the world (processes, fds, epolls), the
 * output queue, and the loop / listener bookkeeping that several handlers need.
 */
import type { ListenerRegistered, TraceEventDraft } from '../events';
import type { CallResult } from './line';
import { type LoopRef, type Noise, OutputQueue, type QItem, type Slot } from './queue';
import { type Candidate, type Epoll, type OpenAccept, rootOf, type Thread, World } from './world';

/** One finished syscall, its two halves joined if it was split. */
export interface Call {
  th: Thread;
  name: string;
  /** The argument text, as printed. */
  text: string;
  args: string[];
  /** Time of the line that completed the call (ns since the first line). */
  t: number;
  /** Time of the line that started it (same as `t` unless it was split). */
  startT: number;
  /** A place kept at the start line for a split epoll wait's `wait-enter`. */
  enterSlot: Slot | null;
  /** The epoll a split wait started on. */
  waitEp: Epoll | null;
  res: CallResult;
}

/** Importer settings the handlers read. */
export interface ModelOptions {
  keepRuntimePoller: boolean;
  keepNoise: boolean;
  maxHeld: number;
}

type Draft<K extends TraceEventDraft['kind']> = Extract<TraceEventDraft, { kind: K }>;

export class Model {
  readonly world = new World();
  readonly queue: OutputQueue;
  /** `other` events by name, for the summary. */
  readonly unmapped = new Map<string, number>();

  constructor(readonly opts: ModelOptions) {
    this.queue = new OutputQueue(opts.keepNoise, opts.maxHeld);
  }

  /** The loop a thread's calls count for: the epoll it last waited on, else none. */
  loopOf(th: Thread): LoopRef | null {
    return th.current?.ref ?? null;
  }

  /** Queues an event; its loop (and eventfd target) are filled in when it leaves the queue. */
  emit(
    ev: TraceEventDraft,
    loop: LoopRef | null = null,
    target: LoopRef | null = null,
    noise: Noise | null = null,
  ): void {
    this.queue.push(ev, loop, target, noise);
  }

  /** A queue item for a kept place (`Slot.resolve`). */
  item(ev: TraceEventDraft, loop: LoopRef | null): QItem {
    return { ev, loop, target: null, noise: null };
  }

  /** An `other` event: kept (and counted) as noise. */
  other(t: number, th: Thread | null, name: string, detail: string): void {
    // Names come from the log: a garbage log must not grow this map without bound.
    const key = this.unmapped.has(name) || this.unmapped.size < 200 ? name : '(other names)';
    this.unmapped.set(key, (this.unmapped.get(key) ?? 0) + 1);
    const ev: Draft<'other'> = { kind: 'other', t, loop: -1, name, detail: detail.slice(0, 300) };
    this.emit(ev, th === null ? null : this.loopOf(th));
  }

  /** Creates the record of an epoll fd first seen now (created, or used without a creation). */
  newEpoll(th: Thread, fd: number, t: number, how: string): Epoll {
    const proc = th.proc;
    proc.anchored = true;
    const ref: LoopRef = {
      state: 'pending',
      index: -1,
      // Forced before its first wait returned: not a loop so far (a later blocking wait promotes it).
      force: () => {
        if (ref.state !== 'pending') return;
        ref.state = 'filtered';
        ep.decided = true;
        this.dropCandidatesOf(ep);
      },
    };
    const loopStart: Draft<'loop-start'> = {
      kind: 'loop-start',
      t,
      loop: -1,
      epfd: fd,
      wakeFd: -1,
      thread: th.tid,
    };
    const ep: Epoll = {
      fd,
      proc,
      ref,
      decided: false,
      loopStart: loopStart as Epoll['loopStart'],
      wakeFd: -1,
      interest: new Map(),
      data: new Map(),
      pendingWakes: new Map(),
      listenersEmitted: new Set(),
      stopped: false,
    };
    proc.epolls.set(fd, ep);
    proc.fds.set(fd, { kind: 'epoll', gen: null, last: null });
    this.emit(loopStart, ref, null, { name: how, detail: `epfd ${fd}` });
    return ep;
  }

  /** The epoll record of `epfd` for a thread, created on first mention. */
  epoll(th: Thread, epfd: number, t: number): Epoll {
    const ep = this.world.epollFor(th, epfd);
    if (ep !== null) return ep;
    return this.newEpoll(this.world.thread(th.tid), epfd, t, 'epoll (first seen)');
  }

  /** Thread `th` now runs the loop of `ep`: accepts it made without knowing its loop land there. */
  enterLoop(th: Thread, ep: Epoll): void {
    if (ep.ref.state === 'filtered') return;
    th.current = ep;
    for (const a of th.openAccepts) this.placeAccept(a, ep);
    th.openAccepts.length = 0;
  }

  /** Puts an accept event in loop `ep` (which then no longer waits for an accept on that listener). */
  placeAccept(a: OpenAccept, ep: Epoll): void {
    if (a.slot.resolved) return;
    ep.pendingWakes.get(a.lfd)?.slot.resolve([]);
    ep.pendingWakes.delete(a.lfd);
    a.slot.resolve(a.slot.fallback().map((q) => ({ ...q, loop: ep.ref })));
  }

  /** Decides whether a waited-on epoll is a loop, at its first return (or promotes a poller). */
  decide(th: Thread, ep: Epoll, timeoutMs: number, t: number): void {
    const blocking = timeoutMs !== 0 || this.opts.keepRuntimePoller;
    if (!ep.decided) {
      ep.decided = true;
      ep.ref.state = blocking ? 'loop' : 'filtered';
      if (ep.loopStart !== null) ep.loopStart.wakeFd = ep.wakeFd;
      if (!blocking) this.dropCandidatesOf(ep);
      return;
    }
    if (ep.ref.state !== 'filtered' || !blocking) return;
    // Polled with timeout 0 until now, blocking from here on: a loop from this point.
    const ref: LoopRef = { state: 'loop', index: -1, force: () => {} };
    ep.ref = ref;
    this.emit({ kind: 'loop-start', t, loop: -1, epfd: ep.fd, wakeFd: ep.wakeFd, thread: th.tid }, ref);
    this.emit(
      { kind: 'mark', t, loop: -1, text: `epfd ${ep.fd}: polled only with timeout 0 before this point` },
      ref,
    );
  }

  /** Settles the listener wake-ups of a loop that waits again: no accept since means declined. */
  settleWakes(ep: Epoll): void {
    const proc = rootOf(ep.proc);
    for (const [fd, wake] of ep.pendingWakes) {
      // An accept that another thread made and did not yet place: this loop's goroutine moved.
      if (this.adoptAccept(ep, fd)) continue;
      const cand = proc.candidates.get(fd);
      if (proc.fds.get(fd)?.kind === 'listener') wake.slot.resolve([this.declined(ep, fd, wake.t)]);
      else if (cand !== undefined) {
        if (cand.declines.length >= 64) cand.declines = cand.declines.filter((d) => !d.wake.slot.resolved);
        cand.declines.push({ ep, wake });
      } else wake.slot.resolve([]);
    }
    ep.pendingWakes.clear();
  }

  /** Places the oldest unplaced failed accept on listener `fd` of the same process in `ep`. */
  private adoptAccept(ep: Epoll, fd: number): boolean {
    const proc = rootOf(ep.proc);
    let best: { th: Thread; i: number; t: number } | null = null;
    for (const th of this.world.threads.values()) {
      if (rootOf(th.proc) !== proc) continue;
      th.openAccepts.forEach((a, i) => {
        if (a.lfd === fd && !a.slot.resolved && (best === null || a.t < best.t)) best = { th, i, t: a.t };
      });
    }
    if (best === null) return false;
    const { th, i } = best as { th: Thread; i: number };
    const [a] = th.openAccepts.splice(i, 1);
    this.placeAccept(a!, ep);
    return true;
  }

  /** The `declined` accept of a loop woken for listener `fd` at `t` that waited again without accepting. */
  declined(ep: Epoll, fd: number, t: number): QItem {
    const ev: Draft<'accept'> = {
      kind: 'accept',
      t,
      loop: -1,
      listenerFd: fd,
      outcome: 'declined',
      fd: null,
      gen: null,
      remote: null,
      reason: 'no accept after wake-up (balancer declined)',
      errno: null,
    };
    return this.item(ev, ep.ref);
  }

  /** The `listener` event of `fd` in loop `ep` (the log never says its address: `unknown`). */
  listenerItem(ep: Epoll, fd: number, index: number, network: string, t: number): QItem {
    ep.listenersEmitted.add(fd);
    const ev: Omit<ListenerRegistered, 'seq'> = {
      kind: 'listener',
      t,
      loop: -1,
      fd,
      index,
      addr: 'unknown',
      network,
      reuseport: false,
    };
    return this.item(ev, ep.ref);
  }

  /** A runtime poller's registrations say nothing about listeners: release what they hold. */
  dropCandidatesOf(ep: Epoll): void {
    const cands = rootOf(ep.proc).candidates;
    for (const [fd, c] of cands) {
      for (const a of c.adds) if (a.ep === ep) a.slot.resolve([]);
      c.adds = c.adds.filter((a) => a.ep !== ep);
      if (c.adds.length === 0 && c.declines.length === 0) cands.delete(fd);
    }
  }

  /** A candidate turned out not to be a listener: its held places stay empty. */
  dropCandidate(cands: Map<number, Candidate>, fd: number): void {
    const c = cands.get(fd);
    if (c === undefined) return;
    for (const a of c.adds) a.slot.resolve([]);
    for (const d of c.declines) d.wake.slot.resolve([]);
    cands.delete(fd);
  }
}
