/**
 * Merges the trace rings of every loop thread, plus the main thread's own events, into one
 * stream in time order, numbered from 0.
 *
 * A loop's events are already in time order, so the merger only has to know how far each loop
 * has got: an event is delivered once no loop can still emit an older one. For a loop that is
 * blocked in epoll_wait (its kernel raises a flag around the call) that point is "now", taken
 * before the flag is read; for a busy loop it is the time of its last event; a finished loop
 * never holds the others back. `flush` at the end delivers everything.
 */
import type { TraceEvent, TraceEventDraft } from '@loopscope/trace';
import { monotonicNowNs } from './clock';
import type { NoteProducer } from './note-queue';
import { RingReader } from './trace-ring';

interface Source {
  reader: RingReader;
  notes: NoteProducer;
  pending: TraceEventDraft[];
  lastT: number;
  finished: boolean;
}

/** Collects, orders, numbers and delivers trace events. */
export class TraceMerger {
  private readonly sources: Source[] = [];
  private own: TraceEventDraft[] = [];
  private seq = 0;

  constructor(
    private readonly baseNs: number,
    private readonly deliver: (events: TraceEvent[]) => void,
  ) {}

  /** Events delivered so far. */
  get count(): number {
    return this.seq;
  }

  /** Adds a loop's ring (in loop order). */
  addLoop(ring: SharedArrayBuffer, notes: NoteProducer): void {
    this.sources.push({ reader: new RingReader(ring), notes, pending: [], lastT: 0, finished: false });
  }

  /** Stamps and queues an event of the main thread (loop -1). */
  emitOwn(ev: TraceEventDraft): void {
    this.own.push(ev);
  }

  /** The main thread's clock in trace time. */
  now(): number {
    return Math.round(monotonicNowNs() - this.baseNs);
  }

  /** A loop has closed everything: after its last drain it never holds the stream back. */
  finish(index: number): void {
    const s = this.sources[index];
    if (!s) return;
    s.reader.drain(s.pending);
    s.finished = true;
  }

  /** Drains every ring and delivers what is safe to deliver (everything when `all`). */
  pump(all = false): void {
    const now = this.now();
    let watermark = all ? Number.POSITIVE_INFINITY : now;
    for (const s of this.sources) {
      const waiting = s.notes.inWait;
      s.reader.drain(s.pending);
      const last = s.pending[s.pending.length - 1];
      if (last) s.lastT = last.t;
      if (!all && !s.finished && !waiting) watermark = Math.min(watermark, s.lastT);
    }
    const ready: TraceEventDraft[] = [];
    for (const list of [...this.sources.map((s) => s.pending), this.own]) {
      let i = 0;
      while (i < list.length && list[i]!.t <= watermark) ready.push(list[i++]!);
      if (i > 0) list.splice(0, i);
    }
    if (ready.length === 0) return;
    ready.sort((a, b) => a.t - b.t);
    for (const ev of ready) (ev as TraceEvent).seq = this.seq++;
    this.deliver(ready as TraceEvent[]);
  }
}
