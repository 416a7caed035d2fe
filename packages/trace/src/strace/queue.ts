/**
 * The importer's output stage: events wait here, in log order, until everything they depend on
 * is known, then leave numbered (`seq`) in time order.
 *
 * Two things can hold the queue back, each for a bounded number of events:
 * - a `LoopRef` still `pending`: an epoll fd whose first wait has not returned yet, so it is not
 *   known whether it is a loop (and which number it gets) or a runtime poller to filter;
 * - an unresolved `Slot`: a place kept for events only a later line can write (the `wait-enter`
 *   of an `<unfinished ...>` epoll_wait, a `listener` event before the fd is known to be a
 *   listener, a `declined` accept before the loop's next wait).
 * Loop numbers are given when a loop's first event leaves, so loops are numbered in the order
 * their epoll fds appeared. When more than `maxHeld` events wait, the oldest hold is forced
 * with its fallback, so memory stays bounded on any log.
 */
import type { TraceEvent, TraceEventDraft } from '../events';

/** A loop as events refer to it before its number is known. */
export interface LoopRef {
  state: 'pending' | 'loop' | 'filtered';
  /** The loop number, given when its first event leaves the queue; -1 before. */
  index: number;
  /** Decides a pending ref when the queue must move on (it becomes `filtered`). */
  force: () => void;
}

/** What an event becomes if its loop turns out to be a filtered runtime poller. */
export interface Noise {
  name: string;
  detail: string;
  /** The second event of one call (a wait-return): dropped, its call is already reported. */
  part?: boolean;
}

/** One queued event and the loops it refers to. */
export interface QItem {
  ev: TraceEventDraft;
  loop: LoopRef | null;
  /** For `eventfd` events: the loop being woken. */
  target: LoopRef | null;
  noise: Noise | null;
}

/** A place in the queue for events that a later line will provide. */
export class Slot {
  items: QItem[] | null = null;
  pos = 0;
  constructor(readonly fallback: () => QItem[]) {}

  resolve(items: QItem[]): void {
    if (this.items === null) this.items = items;
  }

  get resolved(): boolean {
    return this.items !== null;
  }
}

/** Counters of what the queue changed or dropped. */
export interface QueueCounts {
  /** Events of filtered runtime pollers (kept as `other` unless noise is dropped). */
  runtimePoller: number;
  /** `other` events dropped because noise is not kept. */
  noiseDropped: number;
  /** `other` events kept. */
  otherKept: number;
  /** Holds forced because too many events waited. */
  forced: number;
  /** Events whose time was raised to the previous event's (the log went back in time). */
  clamped: number;
}

export class OutputQueue {
  private items: (QItem | Slot)[] = [];
  private head = 0;
  private out: TraceEvent[] = [];
  private seq = 0;
  private lastT = 0;
  private nextLoop = 0;
  readonly counts: QueueCounts = { runtimePoller: 0, noiseDropped: 0, otherKept: 0, forced: 0, clamped: 0 };

  constructor(
    private readonly keepNoise: boolean,
    private readonly maxHeld: number,
  ) {}

  /** Number of loops numbered so far. */
  get loops(): number {
    return this.nextLoop;
  }

  /** Queued items (events and places) not released yet. */
  get held(): number {
    return this.items.length - this.head;
  }

  /** Number of events released so far. */
  get released(): number {
    return this.seq;
  }

  push(
    ev: TraceEventDraft,
    loop: LoopRef | null = null,
    target: LoopRef | null = null,
    noise: Noise | null = null,
  ): void {
    this.items.push({ ev, loop, target, noise });
  }

  /** Keeps a place for events a later line will write; `fallback` fills it if it must be forced. */
  slot(fallback: () => QItem[] = () => []): Slot {
    const s = new Slot(fallback);
    this.items.push(s);
    return s;
  }

  /** Releases what can be released; with `all`, forces every hold first (end of the log). */
  flush(all = false): void {
    for (;;) {
      this.release();
      const held = this.items.length - this.head;
      if (held === 0 || (!all && held <= this.maxHeld)) break;
      this.forceHead();
    }
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** The events released since the last call. */
  take(): TraceEvent[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private forceHead(): void {
    const it = this.items[this.head]!;
    this.counts.forced++;
    if (it instanceof Slot) {
      if (!it.resolved) it.resolve(it.fallback());
      const sub = it.items![it.pos];
      if (sub !== undefined) this.forceRefs(sub);
      return;
    }
    this.forceRefs(it);
  }

  private forceRefs(it: QItem): void {
    if (it.loop?.state === 'pending') it.loop.force();
    if (it.target?.state === 'pending') it.target.force();
  }

  private release(): void {
    while (this.head < this.items.length) {
      const it = this.items[this.head]!;
      if (it instanceof Slot) {
        if (it.items === null) return;
        while (it.pos < it.items.length) {
          if (!this.emit(it.items[it.pos]!)) return;
          it.pos++;
        }
      } else if (!this.emit(it)) return;
      this.head++;
    }
  }

  /** Numbers and outputs one item; false if a loop it refers to is still undecided. */
  private emit(it: QItem): boolean {
    if (it.loop?.state === 'pending' || it.target?.state === 'pending') return false;
    let ev = it.ev;
    if (it.loop?.state === 'filtered' && it.noise !== null) {
      if (it.noise.part === true) return true;
      this.counts.runtimePoller++;
      ev = { kind: 'other', t: ev.t, loop: -1, name: it.noise.name, detail: it.noise.detail };
    } else {
      ev.loop = this.indexOf(it.loop, ev.loop);
      if (ev.kind === 'eventfd') ev.target = this.indexOf(it.target, ev.target);
    }
    if (ev.kind === 'other') {
      if (!this.keepNoise) {
        this.counts.noiseDropped++;
        return true;
      }
      this.counts.otherKept++;
    }
    if (ev.t < this.lastT) {
      ev.t = this.lastT;
      this.counts.clamped++;
    }
    this.lastT = ev.t;
    const out = ev as TraceEvent;
    out.seq = this.seq++;
    this.out.push(out);
    return true;
  }

  private indexOf(ref: LoopRef | null, dflt: number): number {
    if (ref === null) return dflt;
    if (ref.state !== 'loop') return -1;
    if (ref.index < 0) ref.index = this.nextLoop++;
    return ref.index;
  }
}
