/**
 * One simulated loop thread as a scheduler actor: it alternates a wait step (`Loop.waitPhase`)
 * and a dispatch step (`Loop.dispatchPhase`). Between them other loops and clients run, so two
 * loops can both return from a wait for the same listener before either accepts.
 *
 * Blocking is modelled here: when a dispatch ends the loop "enters" epoll_wait (its `wait-enter`
 * is traced then, not when the wait returns), sleeps while its epoll has nothing to report, and
 * is woken by an epoll callback (plus a small random latency) or by its timeout.
 */
import type { TraceEventDraft } from '@loopscope/trace';
import { type Loop, WAIT_BATCH } from '../core/loop';
import { type DistributiveDraft, ObjectTracer } from '../core/loop-types';
import { SimEpoll } from './epoll';
import type { Actor } from './scheduler';
import type { SimWorld } from './world';

type LoopState = 'new' | 'wait' | 'dispatch' | 'stopped';

/**
 * The tracer given to a simulated loop: forwards everything except the loop's own `wait-enter`
 * (the actor traces it when the loop goes to sleep) and fills `blockedNs` of `wait-return` with
 * the virtual time spent asleep.
 */
export class SimLoopTracer extends ObjectTracer {
  readonly enabled = true;
  /** Time of the last `wait-enter` traced by the actor. */
  enteredAt = 0;

  constructor(private readonly sink: (ev: TraceEventDraft) => void) {
    super();
  }

  emit(body: DistributiveDraft, t: number, loop: number): void {
    if (body.kind === 'wait-enter') return;
    const ev = body as TraceEventDraft;
    ev.t = t;
    ev.loop = loop;
    if (ev.kind === 'wait-return') ev.blockedNs = Math.max(0, t - this.enteredAt);
    this.sink(ev);
  }

  /** Traces the loop entering epoll_wait. */
  enter(ev: TraceEventDraft): void {
    this.enteredAt = ev.t;
    this.sink(ev);
  }
}

export class LoopActor implements Actor {
  readonly name: string;
  private state: LoopState = 'new';
  private sleepSince = 0;
  private timeoutMs = 0;
  private readyTime = 0;
  private ep: SimEpoll | null = null;

  constructor(
    readonly loop: Loop,
    private readonly world: SimWorld,
    private readonly tracer: SimLoopTracer,
  ) {
    this.name = `loop ${loop.index}`;
  }

  get finished(): boolean {
    return this.state === 'stopped';
  }

  /** What the loop is doing: `wait` (in epoll_wait), `dispatch` (handling a batch), `stopped`. */
  get phase(): LoopState {
    return this.state;
  }

  /** Creates the loop's epoll and eventfd and registers its listeners, then enters its first wait. */
  start(): void {
    this.loop.start();
    const ep = this.world.fds.get(this.loop.epfd);
    if (!(ep instanceof SimEpoll))
      throw new Error(`loop ${this.loop.index}: epoll fd ${this.loop.epfd} missing`);
    this.ep = ep;
    this.enterWait();
  }

  readyAt(): number | null {
    if (this.state === 'dispatch') return this.readyTime;
    if (this.state !== 'wait' || !this.ep) return null;
    const ep = this.ep;
    if (ep.hasEvents()) return ep.wakeAt ?? (ep.sleeping ? this.world.now : this.sleepSince);
    // Woken for something that is gone again (another loop took it): back to sleep.
    ep.sleeping = true;
    ep.wakeAt = null;
    return this.sleepSince + this.timeoutMs * 1e6;
  }

  step(): void {
    if (this.state === 'wait') {
      this.loop.waitPhase(this.timeoutMs);
      this.state = this.loop.stopped ? 'stopped' : 'dispatch';
      this.readyTime = this.world.now;
      return;
    }
    if (this.state === 'dispatch') {
      this.loop.dispatchPhase();
      this.enterWait();
    }
  }

  private enterWait(): void {
    if (this.loop.stopped || !this.ep) {
      this.state = 'stopped';
      return;
    }
    this.state = 'wait';
    this.sleepSince = this.world.now;
    this.timeoutMs = this.loop.nextTimeoutMs();
    this.ep.sleeping = !this.ep.hasEvents();
    this.ep.wakeAt = null;
    this.tracer.enter({
      kind: 'wait-enter',
      t: this.world.now,
      loop: this.loop.index,
      epfd: this.loop.epfd,
      max: WAIT_BATCH,
      timeoutMs: this.timeoutMs,
    });
  }
}
