/**
 * Merges the trace rings of every loop thread, plus the main thread's own events, into one
 * stream in time order, numbered from 0.
 *
 * A loop's events are already in time order, so the merger only has to know how far each loop
 * has got: an event is delivered once no loop can still emit an older one. For a loop that is
 * blocked in epoll_wait (its kernel raises a flag around the call) that point is "now", taken
 * before the flag is read; for a busy loop it is the time of its last event; a finished loop
 * never holds the others back. `end` delivers everything.
 *
 * With a spill directory nothing is delivered during the run: each drain copies the loops' raw
 * records into spill files (`trace-spill.ts`) and `end` merges them after the loops stopped.
 */
import type { TraceEvent, TraceEventDraft } from '@loopscope/trace';
import { monotonicNowNs } from './clock';
import type { NoteProducer } from './note-queue';
import { RingReader } from './trace-ring';
import { makeSpillDir, mergeSources, removeSpillDir, SpillFile, SpillReader } from './trace-spill';

interface Source {
  reader: RingReader;
  notes: NoteProducer;
  pending: TraceEventDraft[];
  lastT: number;
  finished: boolean;
  spill: SpillFile | null;
}

/** Receives merged events; a returned promise holds back the next batch of a spill merge. */
export type DeliverEvents = (events: TraceEvent[]) => unknown;

/** Collects, orders, numbers and delivers trace events. */
export class TraceMerger {
  private readonly sources: Source[] = [];
  private own: TraceEventDraft[] = [];
  private seq = 0;
  private spilled = 0;
  /** Made under `spillParent` when the first loop is added. */
  private spillDir: string | null = null;
  private ended: Promise<void> | null = null;

  /** `spillParent`: record through spill files in a directory made under it (see above). */
  constructor(
    private readonly baseNs: number,
    private readonly deliver: DeliverEvents,
    private readonly spillParent?: string,
  ) {}

  private get spilling(): boolean {
    return this.spillParent !== undefined;
  }

  /** Events recorded so far (delivered, or spilled and not yet merged). */
  get count(): number {
    return this.seq + this.spilled + (this.spilling ? this.own.length : 0);
  }

  /** Adds a loop's ring (in loop order). */
  addLoop(ring: SharedArrayBuffer, notes: NoteProducer): void {
    if (this.spillParent !== undefined) this.spillDir ??= makeSpillDir(this.spillParent);
    const spill = this.spillDir ? new SpillFile(`${this.spillDir}/loop-${this.sources.length}.spill`) : null;
    this.sources.push({ reader: new RingReader(ring), notes, pending: [], lastT: 0, finished: false, spill });
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
    this.drain(s);
    s.finished = true;
  }

  private drain(s: Source): void {
    const spill = s.spill;
    if (spill) this.spilled += s.reader.drainRaw((bytes, start, end) => spill.append(bytes, start, end));
    else s.reader.drain(s.pending);
  }

  /**
   * Delivers everything, once the loops have stopped: a last pump, or the merge of the spill
   * files (which are removed afterwards, also on failure). Idempotent.
   */
  end(): Promise<void> {
    this.ended ??= this.spilling ? this.mergeSpills() : Promise.resolve(this.pump(true));
    return this.ended;
  }

  private async mergeSpills(): Promise<void> {
    const readers: SpillReader[] = [];
    try {
      for (const s of this.sources) {
        this.drain(s);
        s.spill!.close();
        readers.push(new SpillReader(s.spill!.path));
      }
      const own = this.own.sort((a, b) => a.t - b.t);
      this.own = [];
      this.spilled += own.length;
      let i = 0;
      const sources = [...readers.map((r) => () => r.next()), () => own[i++] ?? null];
      await mergeSources(sources, this.seq, (evs) => {
        this.seq += evs.length;
        this.spilled -= evs.length;
        return this.deliver(evs);
      });
    } finally {
      for (const r of readers) r.close();
      if (this.spillDir) removeSpillDir(this.spillDir);
    }
  }

  /** Drains every ring and delivers what is safe to deliver (everything when `all`). */
  pump(all = false): void {
    if (this.ended && this.spilling) return;
    if (this.spilling) {
      for (const s of this.sources) this.drain(s);
      return;
    }
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
