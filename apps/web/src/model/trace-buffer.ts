/**
 * Every event received so far, in seq order, with the indexes the timeline needs: a
 * non-decreasing time per event (for binary search) and each loop's blocked-in-epoll_wait slices.
 */
import type { TraceEvent, TraceHeader } from '@loopscope/trace';
import { paletteIndex } from '../theme';

/** Growable Uint8 array (per-event palette index for the timeline). */
export class U8List {
  data = new Uint8Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint8Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** Growable Float64 array (the timeline reads `data` up to `length`). */
export class F64List {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** One loop's waits: `start[i]`..`end[i]` in ns; an open wait has `end` = NaN. */
export interface WaitSlices {
  start: F64List;
  end: F64List;
  /** seq of each wait's return (or -1 while open). */
  returnSeq: F64List;
}

export class TraceBuffer {
  readonly events: TraceEvent[] = [];
  /** Running maximum of `t`: monotonic even when loops report slightly out of order. */
  readonly times = new F64List();
  readonly waits: WaitSlices[] = [];
  /** Per event: its palette index (see `paletteIndex`), precomputed so the timeline only reads bytes. */
  readonly colors = new U8List();
  /** Lane per event: loop index, or `loops` for the server/clients lane. */
  firstT = 0;
  lastT = 0;
  loops: number;

  constructor(
    readonly header: TraceHeader | null,
    loops?: number,
  ) {
    this.loops = loops ?? header?.loops ?? 1;
  }

  get length(): number {
    return this.events.length;
  }

  private slices(loop: number): WaitSlices {
    while (this.waits.length <= loop) {
      this.waits.push({ start: new F64List(), end: new F64List(), returnSeq: new F64List() });
    }
    if (loop + 1 > this.loops) this.loops = loop + 1;
    return this.waits[loop]!;
  }

  /** Appends events (already in seq order). */
  append(batch: readonly TraceEvent[]): void {
    for (const ev of batch) {
      const t = this.events.length === 0 ? ev.t : Math.max(this.lastT, ev.t);
      if (this.events.length === 0) this.firstT = ev.t;
      this.lastT = t;
      this.events.push(ev);
      this.times.push(t);
      this.colors.push(paletteIndex(ev));
      if (ev.loop < 0) continue;
      if (ev.kind === 'wait-enter') {
        const w = this.slices(ev.loop);
        w.start.push(ev.t);
        w.end.push(Number.NaN);
        w.returnSeq.push(-1);
      } else if (ev.kind === 'wait-return') {
        const w = this.slices(ev.loop);
        const i = w.end.length - 1;
        if (i >= 0 && Number.isNaN(w.end.data[i]!)) {
          w.end.data[i] = ev.t;
          w.returnSeq.data[i] = ev.seq;
        } else {
          w.start.push(ev.blockedNs >= 0 ? ev.t - ev.blockedNs : ev.t);
          w.end.push(ev.t);
          w.returnSeq.push(ev.seq);
        }
      } else if (ev.loop + 1 > this.loops) {
        this.loops = ev.loop + 1;
      }
    }
  }

  /** Index of the first event with time >= t. */
  indexAtTime(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    const d = this.times.data;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (d[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Time of the event at index i (clamped). */
  timeAt(i: number): number {
    if (this.times.length === 0) return 0;
    const k = Math.max(0, Math.min(this.times.length - 1, i));
    return this.times.data[k]!;
  }
}
