/**
 * One evio loop. It only dispatches; each branch is a small function in `loop-branches.ts`.
 *
 * Phase order of one iteration (evio's `Poll.Wait` callback, spec §2.2 and §2.4):
 *   1. wait      `epoll_wait(epfd, 64, 100 ms)`; EINTR tolerated.
 *   2. notes     drain every queued note first — tick, wake, shutdown — even on timeout.
 *   3. fds       for each ready fd in kernel order, exactly one branch:
 *                  the eventfd            -> read it (reset the wake-up counter)
 *                  no conn for the fd     -> loopAccept (a listener; balance may decline)
 *                  conn not opened        -> loopOpened
 *                  output pending         -> loopWrite
 *                  action pending         -> loopAction
 *                  otherwise              -> loopRead
 *                The event mask is ignored, as in evio (except in `read-first` mode).
 *
 * The loop never blocks by itself except inside `kernel.pollWait`, so a host can drive it one
 * batch at a time (a worker thread on Linux, the seeded scheduler in the simulator).
 */
import { EV } from '@loopscope/trace';
import type { Events, LoadBalance } from './api';
import { countSlot } from './balance';
import type { ConnOwner, LoopConn } from './conn';
import { errnoName, type Kernel } from './kernel';
import {
  loopAccept,
  loopAction,
  loopCloseConn,
  loopOpened,
  loopRead,
  loopTick,
  loopWake,
  loopWrite,
} from './loop-branches';
import type { DistributiveDraft, ListenerSpec, LoopConfig, Note, Tracer } from './loop-types';
import type { ModeFlags } from './modes';

/** evio's batch size and timeout. */
export const WAIT_BATCH = 64;
export const WAIT_TIMEOUT_MS = 100;
/** evio's per-loop read buffer: 0xFFFF bytes. */
export const READ_BUFFER_SIZE = 65535;

export class Loop implements ConnOwner {
  readonly index: number;
  readonly loops: number;
  readonly kernel: Kernel;
  readonly events: Events;
  readonly mode: ModeFlags;
  readonly balance: LoadBalance;
  readonly shared: Int32Array;
  readonly tracer: Tracer;
  /** Listeners this loop watches, by fd. */
  readonly listeners = new Map<number, ListenerSpec>();
  /** evio's `fdconns`. */
  readonly conns = new Map<number, LoopConn>();
  /** evio's `packet`: one read buffer shared by every connection of the loop. */
  readonly packet = new Uint8Array(READ_BUFFER_SIZE);
  epfd = -1;
  wakeFd = -1;
  stopped = false;
  nextTickAt = Number.POSITIVE_INFINITY;

  private readonly cfg: LoopConfig;
  private readonly readyFds = new Int32Array(WAIT_BATCH);
  private readonly readyMasks = new Uint32Array(WAIT_BATCH);
  /** Generation of the conn each ready fd belonged to when the wait returned (-1: none). */
  private readonly readyGens = new Float64Array(WAIT_BATCH);
  private readyCount = 0;
  private notes: Note[] = [];

  constructor(cfg: LoopConfig) {
    this.cfg = cfg;
    this.index = cfg.index;
    this.loops = cfg.loops;
    this.kernel = cfg.kernel;
    this.events = cfg.events;
    this.mode = cfg.mode;
    this.balance = cfg.balance;
    this.shared = cfg.shared;
    this.tracer = cfg.tracer;
    for (const ln of cfg.listeners) {
      if (ln.ownerLoop === null || ln.ownerLoop === this.index) this.listeners.set(ln.fd, ln);
    }
  }

  /** Emits a trace event stamped now (`Kernel.stamp`); callers check `tracer.enabled` first on hot paths. */
  trace(ev: DistributiveDraft): void {
    this.tracer.emit(ev, this.kernel.stamp(), this.index);
  }

  /** Creates the epoll instance and the eventfd, and registers the eventfd and the listeners. */
  start(): void {
    const k = this.kernel;
    this.epfd = k.pollCreate();
    this.wakeFd = k.eventfdCreate();
    if (this.tracer.enabled)
      this.trace({
        kind: 'loop-start',
        epfd: this.epfd,
        wakeFd: this.wakeFd,
        thread: this.cfg.threadId ?? -1,
      });
    this.ctl('add', this.wakeFd, null, EV.IN);
    const lnMask = EV.IN | (this.mode.exclusive ? EV.EXCLUSIVE : 0);
    for (const ln of this.listeners.values()) {
      if (this.tracer.enabled) {
        this.trace({
          kind: 'listener',
          fd: ln.fd,
          index: ln.index,
          addr: ln.addr,
          network: ln.network,
          reuseport: ln.reuseport,
        });
      }
      this.ctl('add', ln.fd, null, lnMask);
    }
    if (this.index === 0 && this.events.tick) this.nextTickAt = k.now();
  }

  /** The wait timeout: evio's 100 ms, shorter on loop 0 when a tick is due sooner. */
  nextTimeoutMs(): number {
    if (this.nextTickAt === Number.POSITIVE_INFINITY) return WAIT_TIMEOUT_MS;
    const ms = Math.ceil((this.nextTickAt - this.kernel.now()) / 1e6);
    return Math.max(0, Math.min(WAIT_TIMEOUT_MS, ms));
  }

  /** Phase 1: one `epoll_wait`. Returns the ready count (0 on timeout, -errno on error). */
  waitPhase(timeoutMs = this.nextTimeoutMs()): number {
    const k = this.kernel;
    const tracing = this.tracer.enabled;
    if (tracing) this.trace({ kind: 'wait-enter', epfd: this.epfd, max: WAIT_BATCH, timeoutMs });
    const before = tracing ? k.now() : 0;
    const n = k.pollWait(this.epfd, this.readyFds, this.readyMasks, timeoutMs);
    this.readyCount = Math.max(0, n);
    for (let i = 0; i < this.readyCount; i++) {
      const c = this.conns.get(this.readyFds[i]!);
      this.readyGens[i] = c ? c.gen : -1;
    }
    if (tracing) {
      const ready: number[] = [];
      for (let i = 0; i < this.readyCount; i++) ready.push(this.readyFds[i]!, this.readyMasks[i]!);
      const t = k.now();
      this.trace({
        kind: 'wait-return',
        n,
        ready,
        errno: n < 0 ? errnoName(n) : null,
        blockedNs: Math.max(0, t - before),
      });
    }
    if (this.nextTickAt !== Number.POSITIVE_INFINITY && this.nextTickAt <= k.now()) {
      this.nextTickAt = Number.POSITIVE_INFINITY;
      this.notes.push({ type: 'tick' });
    }
    return n;
  }

  /** Phases 2 and 3: every note, then every ready fd. */
  dispatchPhase(): void {
    this.drainNotes();
    for (let i = 0; i < this.readyCount && !this.stopped; i++) {
      const fd = this.readyFds[i]!;
      if (fd === this.wakeFd) {
        const r = this.kernel.eventfdRead(fd);
        if (this.tracer.enabled) this.trace({ kind: 'eventfd', op: 'read', fd, target: this.index });
        if (r < 0 && r !== -11)
          this.fault('eventfd read', fd, r, 'the loop returns the error: server shutdown');
        continue;
      }
      this.dispatchFd(fd, this.readyMasks[i]!, this.readyGens[i]!);
    }
    this.readyCount = 0;
  }

  /** One whole iteration. */
  runOnce(): void {
    if (this.stopped) return;
    this.waitPhase();
    if (!this.stopped) this.dispatchPhase();
  }

  /** Queues a note from this loop's own thread. */
  queueNote(note: Note): void {
    this.notes.push(note);
  }

  /** Conn.wake(): queue a wake note and signal the eventfd, as evio's Trigger does. */
  wakeConn(c: LoopConn): void {
    this.notes.push({ type: 'wake', fd: c.fd, gen: c.gen });
    if (this.tracer.enabled) this.trace({ kind: 'wake', fd: c.fd, gen: c.gen });
    this.kernel.eventfdWrite(this.wakeFd);
    if (this.tracer.enabled)
      this.trace({ kind: 'eventfd', op: 'write', fd: this.wakeFd, target: this.index });
  }

  busy(ns: number): void {
    this.kernel.busy(ns);
  }

  /** Stops the loop; the host then calls `closeAll`. */
  stop(reason: 'shutdown' | 'error', error: string | null = null): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tracer.enabled) this.trace({ kind: 'loop-stop', reason, error });
    this.cfg.onStop?.(reason, error);
  }

  /** After the loop stopped: close every conn (Closed fires with null), then the eventfd and epoll fd. */
  closeAll(): void {
    for (const c of [...this.conns.values()]) loopCloseConn(this, c, null, 'shutdown');
    for (const fd of [this.wakeFd, this.epfd]) {
      if (fd < 0) continue;
      const r = this.kernel.close(fd);
      if (this.tracer.enabled) {
        this.trace({ kind: 'sys', name: 'close', fd, gen: null, ret: r, errno: r < 0 ? errnoName(r) : null });
      }
    }
    this.wakeFd = -1;
    this.epfd = -1;
  }

  /**
   * `epoll_ctl`, traced. evio panics on failure; Loopscope traces a fault and goes on.
   * Its event is stamped when the call is made, not when it returns: a request's two MODs follow
   * Data's end and the write, whose readings are still current then, so they cost no clock read.
   */
  ctl(op: 'add' | 'mod' | 'del', fd: number, c: LoopConn | null, mask: number): number {
    const old = c ? c.interest : 0;
    const t = this.tracer.enabled ? this.kernel.stamp() : 0;
    const r = this.kernel.pollCtl(this.epfd, op, fd, mask);
    if (c && r === 0) c.interest = op === 'del' ? 0 : mask;
    if (this.tracer.enabled) {
      const errno = r < 0 ? errnoName(r) : null;
      this.tracer.ctl(
        t,
        this.index,
        this.epfd,
        op,
        fd,
        c ? c.gen : null,
        old,
        op === 'del' ? 0 : mask,
        errno,
      );
    }
    if (r < 0) this.fault(`epoll_ctl ${op}`, fd, r, 'panic: the whole process crashes');
    return r;
  }

  /** Interest masks of this mode: level-triggered, or EPOLLET in `edge` mode. */
  maskRead(): number {
    return this.mode.edge ? (EV.IN | EV.ET) >>> 0 : EV.IN;
  }
  maskReadWrite(): number {
    return this.mode.edge ? (EV.IN | EV.OUT | EV.ET) >>> 0 : EV.IN | EV.OUT;
  }

  /** Something evio would crash on or silently stop for: traced, and the loop goes on. */
  fault(op: string, fd: number | null, errno: number | null, evio: string): void {
    if (this.tracer.enabled) {
      this.trace({ kind: 'fault', op, fd, errno: errno === null ? null : errnoName(errno), evio });
    }
  }

  addCount(delta: number): void {
    Atomics.add(this.shared, countSlot(this.index), delta);
  }

  private dispatchFd(fd: number, mask: number, genAtWait: number): void {
    const c = this.conns.get(fd);
    // A conn closed earlier in this batch, its fd number perhaps reused: not its readiness.
    if ((c ? c.gen : -1) !== genAtWait) {
      if (this.tracer.enabled) {
        this.trace({ kind: 'mark', text: `stale readiness for fd ${fd} (gen ${genAtWait}) skipped` });
      }
      return;
    }
    if (!c) loopAccept(this, fd);
    else if (!c.opened) loopOpened(this, c);
    else if (this.mode.readFirst && mask & EV.IN) loopRead(this, c);
    else if (c.out.pending > 0) loopWrite(this, c);
    else if (c.action !== 0) loopAction(this, c);
    else loopRead(this, c);
  }

  private drainNotes(): void {
    let notes = this.notes;
    const external = this.cfg.takeExternalNotes?.();
    if (external && external.length > 0) notes = notes.concat(external);
    if (notes.length === 0) return;
    this.notes = [];
    let tick = 0;
    let wake = 0;
    let shutdown = 0;
    for (const n of notes) {
      if (n.type === 'tick') tick++;
      else if (n.type === 'wake') wake++;
      else shutdown++;
    }
    if (this.tracer.enabled) this.trace({ kind: 'notes', tick, wake, shutdown });
    for (const n of notes) {
      if (this.stopped) return;
      if (n.type === 'tick') loopTick(this);
      else if (n.type === 'shutdown') this.stop('shutdown');
      else loopWake(this, n.fd, n.gen);
    }
  }
}
