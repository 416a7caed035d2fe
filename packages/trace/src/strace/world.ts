/**
 * What the importer knows about the traced program: processes (fd tables), their threads,
 * fds, epoll instances and listener candidates.
 *
 * Process membership: a `clone`/`fork` line places the child (same fd table with CLONE_FILES or
 * CLONE_THREAD, else a new process). Without such lines (`-e trace=` usually hides them) each
 * thread starts alone and joins the one process that already knows an epoll fd it waits on, or
 * a connection/listener/eventfd it uses. A thread that created or used an epoll fd of its own is
 * anchored and never joins another process by this guess (nginx workers are separate processes
 * with the same fd numbers).
 */
import type { LoopStart } from '../events';
import type { LoopRef, Slot } from './queue';

/** What a fd is, as far as the log tells. */
export type FdKind = 'conn' | 'listener' | 'eventfd' | 'epoll' | 'other';

export interface FdInfo {
  kind: FdKind;
  /** Connection generation (conns only). */
  gen: number | null;
  /** How the last read or write on it ended, to tell why it was closed. */
  last: 'eof' | 'error' | null;
}

/** A wake-up on a listener (or a listener candidate) whose outcome is not known yet. */
export interface PendingWake {
  slot: Slot;
  t: number;
}

/** One epoll instance of one process. */
export interface Epoll {
  fd: number;
  /** The process it was first seen in (use `rootOf`: processes may merge). */
  proc: Proc;
  ref: LoopRef;
  /** Whether a wait on it has returned (its loop-or-poller decision was made). */
  decided: boolean;
  loopStart: LoopStart | null;
  wakeFd: number;
  /** Registered fds and their interest masks. */
  interest: Map<number, number>;
  /** epoll data (u64 as printed) -> fd, for programs that store pointers (nginx). */
  data: Map<string, number>;
  pendingWakes: Map<number, PendingWake>;
  listenersEmitted: Set<number>;
  stopped: boolean;
}

/** A fd registered in loops before anyone accepted on it: maybe a listener. */
export interface Candidate {
  adds: { ep: Epoll; slot: Slot; t: number }[];
  declines: { ep: Epoll; wake: PendingWake }[];
}

/** An accept whose loop is known only later (Go moves loop goroutines between threads). */
export interface OpenAccept {
  slot: Slot;
  lfd: number;
  t: number;
}

export interface Proc {
  id: number;
  parent: Proc | null;
  anchored: boolean;
  alive: number;
  fds: Map<number, FdInfo>;
  gens: Map<number, number>;
  epolls: Map<number, Epoll>;
  /** Conn fd -> the epoll it is registered in. */
  owner: Map<number, Epoll>;
  candidates: Map<number, Candidate>;
  /** Listener fds in order of discovery (their index in the `listener` events). */
  listeners: number[];
  /** Accepted conn fd -> its accept event, placed in the loop whose epoll the conn joins. */
  wonAccepts: Map<number, OpenAccept>;
}

export interface Thread {
  tid: number;
  proc: Proc;
  current: Epoll | null;
  alive: boolean;
  /** Failed accepts placed in the loop this thread runs next. */
  openAccepts: OpenAccept[];
}

function newProc(id: number): Proc {
  return {
    id,
    parent: null,
    anchored: false,
    alive: 0,
    fds: new Map(),
    gens: new Map(),
    epolls: new Map(),
    owner: new Map(),
    candidates: new Map(),
    listeners: [],
    wonAccepts: new Map(),
  };
}

/** The root of a process's union-find tree. */
export function rootOf(p: Proc): Proc {
  let r = p;
  while (r.parent !== null) r = r.parent;
  return r;
}

export class World {
  readonly threads = new Map<number, Thread>();
  private readonly procs: Proc[] = [];

  thread(tid: number): Thread {
    let th = this.threads.get(tid);
    if (th === undefined) {
      const proc = newProc(tid);
      proc.alive = 1;
      this.procs.push(proc);
      th = { tid, proc, current: null, alive: true, openAccepts: [] };
      this.threads.set(tid, th);
    }
    th.proc = rootOf(th.proc);
    return th;
  }

  /** Every live (root) process. */
  roots(): Proc[] {
    return this.procs.filter((p) => p.parent === null);
  }

  /** A clone/fork line: places `child` in the parent's process or a new one. */
  cloned(parent: Thread, child: number, sharesFiles: boolean): void {
    const th = this.thread(child);
    if (sharesFiles) this.merge(th, parent.proc);
    th.proc.anchored = true;
  }

  /** The process that has epoll fd `epfd` for thread `th` (joining one if `th` may still move). */
  epollFor(th: Thread, epfd: number): Epoll | null {
    const own = th.proc.epolls.get(epfd);
    if (own !== undefined || th.proc.anchored) return own ?? null;
    const other = this.single((p) => p.epolls.has(epfd), th.proc);
    if (other === null) return null;
    this.merge(th, other);
    return other.epolls.get(epfd) ?? null;
  }

  /** The fd `fd` as thread `th` sees it (joining a process that knows it, if `th` may move). */
  fdFor(th: Thread, fd: number): FdInfo | null {
    const own = th.proc.fds.get(fd);
    if (own !== undefined || th.proc.anchored) return own ?? null;
    const other = this.single((p) => {
      const k = p.fds.get(fd)?.kind;
      return k === 'conn' || k === 'listener' || k === 'eventfd' || k === 'epoll';
    }, th.proc);
    if (other === null) return null;
    this.merge(th, other);
    return other.fds.get(fd) ?? null;
  }

  private single(test: (p: Proc) => boolean, self: Proc): Proc | null {
    let found: Proc | null = null;
    for (const p of this.procs) {
      if (p.parent !== null || p === self || !test(p)) continue;
      if (found !== null) return null;
      found = p;
    }
    return found;
  }

  /** Moves thread `th`'s provisional process into `into`. */
  private merge(th: Thread, into: Proc): void {
    const from = th.proc;
    if (from === into) return;
    for (const [k, v] of from.fds) if (!into.fds.has(k)) into.fds.set(k, v);
    for (const [k, v] of from.gens) into.gens.set(k, Math.max(v, into.gens.get(k) ?? 0));
    for (const [k, v] of from.epolls) if (!into.epolls.has(k)) into.epolls.set(k, v);
    for (const [k, v] of from.owner) if (!into.owner.has(k)) into.owner.set(k, v);
    for (const [k, v] of from.wonAccepts) if (!into.wonAccepts.has(k)) into.wonAccepts.set(k, v);
    for (const [k, v] of from.candidates) if (!into.candidates.has(k)) into.candidates.set(k, v);
    for (const fd of from.listeners) if (!into.listeners.includes(fd)) into.listeners.push(fd);
    into.alive += from.alive;
    from.parent = into;
    th.proc = into;
  }

  /** Every thread id seen, sorted (0 stands for "no pid column" and is left out). */
  pids(): number[] {
    return [...this.threads.keys()].filter((p) => p !== 0).sort((a, b) => a - b);
  }
}
