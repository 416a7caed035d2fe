/**
 * Merges the engine's events (from every loop thread) with the scenario clients' events into
 * one numbered stream in time order, as a recording must be (`seq` in a row, `t` never going
 * back). Events wait `holdMs` (50 ms) after arriving so that late neighbours can be sorted in; an event
 * that still arrives after a later one was released is given that later time (`clamped` counts
 * them), so the recording always validates.
 */
import type { TraceEvent, TraceEventDraft } from '@loopscope/trace';

interface Pending {
  at: number;
  ev: TraceEventDraft;
}

export class Sequencer {
  private pending: Pending[] = [];
  private nextSeq = 0;
  private lastT = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Events whose time was raised to keep the stream in order. */
  clamped = 0;

  constructor(
    private readonly out: (events: TraceEvent[]) => void,
    private readonly holdMs = 50,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Events numbered so far. */
  get count(): number {
    return this.nextSeq;
  }

  /** The latest time released. */
  get lastTime(): number {
    return this.lastT;
  }

  /** Takes events in (their `seq`, if any, is replaced). */
  push(events: readonly TraceEventDraft[]): void {
    const at = this.clock();
    for (const ev of events) this.pending.push({ at, ev });
    this.timer ??= setInterval(() => this.release(this.clock() - this.holdMs), Math.max(1, this.holdMs / 3));
  }

  /** Releases everything still held, e.g. at the end of a run. */
  drain(): void {
    this.release(Number.POSITIVE_INFINITY);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Numbers and emits one event at once (after draining what is held), e.g. `end`. */
  append(ev: TraceEventDraft): TraceEvent {
    this.drain();
    const done = this.number([{ at: 0, ev }]);
    this.out(done);
    return done[0]!;
  }

  private release(cutoff: number): void {
    if (this.pending.length === 0) return;
    let n = 0;
    while (n < this.pending.length && this.pending[n]!.at <= cutoff) n++;
    if (n === 0) return;
    const ready = this.pending.slice(0, n);
    this.pending = this.pending.slice(n);
    // A stable sort keeps each loop's own order for events with equal times.
    ready.sort((a, b) => a.ev.t - b.ev.t);
    this.out(this.number(ready));
  }

  private number(items: Pending[]): TraceEvent[] {
    const out: TraceEvent[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const ev = items[i]!.ev as TraceEvent;
      // Recordings hold whole nanoseconds; a clock read as a float may carry a fraction.
      if (!Number.isInteger(ev.t)) ev.t = Math.round(ev.t);
      if (ev.t < this.lastT) {
        ev.t = this.lastT;
        this.clamped++;
      }
      this.lastT = ev.t;
      ev.seq = this.nextSeq++;
      out[i] = ev;
    }
    return out;
  }
}
