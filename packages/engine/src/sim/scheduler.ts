/**
 * The simulator's scheduler: single-threaded discrete-event simulation on one virtual CPU.
 *
 * Actors are loops (each step is one wait or one dispatch) and scenario scripts (each step is
 * one client action). Every actor says when it could next run (`readyAt`, virtual ns, or null
 * while it waits for something that has not happened). `step` runs the earliest; ties are broken
 * by the seeded PRNG, so the same seed gives the same run. When the earliest time is in the
 * future, the clock jumps to it (idle time). Because a woken loop's wait becomes ready a
 * random fraction of a syscall after the wake-up, every loop woken by one new connection
 * returns from its wait before the first of them gets to accept: the herd is a real race.
 */
import type { SimWorld } from './world';

export interface Actor {
  /** For traces and tests: `loop 0`, `client 3`. */
  readonly name: string;
  /** True once the actor will never run again. */
  readonly finished: boolean;
  /** Earliest virtual time of the next step, or null while blocked on an event. */
  readyAt(): number | null;
  /** Runs one step. */
  step(): void;
}

export class Scheduler {
  readonly actors: Actor[] = [];
  /** Steps run so far. */
  steps = 0;

  constructor(private readonly world: SimWorld) {}

  add(actor: Actor): void {
    this.actors.push(actor);
  }

  /** The actor to run next and when (draws from the PRNG on a tie), or null if none can run. */
  private pick(): { actor: Actor; at: number } | null {
    let best = Number.POSITIVE_INFINITY;
    const ties: Actor[] = [];
    for (const a of this.actors) {
      if (a.finished) continue;
      const at = a.readyAt();
      if (at === null) continue;
      if (at < best) {
        best = at;
        ties.length = 0;
        ties.push(a);
      } else if (at === best) ties.push(a);
    }
    if (ties.length === 0) return null;
    const actor = ties.length === 1 ? ties[0]! : ties[this.world.prng.int(ties.length)]!;
    return { actor, at: best };
  }

  /** The earliest time any actor could run (no tie-breaking, no PRNG draw), or null. */
  nextAt(): number | null {
    let best: number | null = null;
    for (const a of this.actors) {
      if (a.finished) continue;
      const at = a.readyAt();
      if (at !== null && (best === null || at < best)) best = at;
    }
    return best;
  }

  /** Runs one step of the earliest actor; returns it, or null when nothing can run. */
  step(): Actor | null {
    const next = this.pick();
    if (!next) return null;
    if (next.at > this.world.now) this.world.now = next.at;
    next.actor.step();
    this.steps++;
    return next.actor;
  }
}

/** An actor that runs a function once at a virtual time. */
export class TimerActor implements Actor {
  finished = false;

  constructor(
    readonly name: string,
    private readonly at: number,
    private readonly fn: () => void,
  ) {}

  readyAt(): number {
    return this.at;
  }

  step(): void {
    this.finished = true;
    this.fn();
  }
}
