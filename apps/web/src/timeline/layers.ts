/**
 * The timeline's cached layers for one view (time range, size, pixel ratio, trace): `base` holds
 * the background, the axis and the wait bands, `ticks` one tick per lane and pixel column (the
 * most telling color of the events there, full height if any of them is a tall kind). When the
 * trace grows, only the new events and wait slices are drawn into the layers, so a frame costs
 * what arrived since the last one, and never more than `MAX_INCREMENT` events: beyond that, or
 * when the view changes, the layers are repainted from the visible range, sampled to `MAX_TICKS`.
 */
import { TALL_BY_CODE } from '../model/columns';
import type { TraceBuffer } from '../model/trace-buffer';
import { C, PALETTE } from '../theme';

/**
 * Events looked at per repaint at most (folding one into its cell costs a few nanoseconds; the
 * drawing is per cell); beyond this the visible range is sampled.
 */
export const MAX_TICKS = 200_000;
/** New events drawn into the layers in one frame at most; more than this repaints (sampled). */
export const MAX_INCREMENT = 20_000;

export interface LayerGeometry {
  /** x = a + t * k (CSS pixels). */
  a: number;
  k: number;
  t0: number;
  t1: number;
  w: number;
  h: number;
  dpr: number;
  laneH: number;
  lanes: number;
  gutter: number;
  /** Paints the axis into the base layer. */
  axis: (ctx: CanvasRenderingContext2D) => void;
}

function layer(): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = document.createElement('canvas');
  return [c, c.getContext('2d')!];
}

export class TimelineLayers {
  readonly base: HTMLCanvasElement;
  readonly ticks: HTMLCanvasElement;
  private readonly baseCtx: CanvasRenderingContext2D;
  private readonly ticksCtx: CanvasRenderingContext2D;
  key = '';
  buffer: TraceBuffer | null = null;
  private g: LayerGeometry | null = null;
  /** Events drawn into `ticks` (every event before this index is there, or was sampled). */
  private ticksDrawn = 0;
  /** Per loop: the first wait slice not yet drawn to its end. */
  private waitsDrawn: number[] = [];
  /** Per loop: how far (x, CSS pixels) that slice is drawn, while it is still open. */
  private openTo: number[] = [];
  /** Per lane x pixel column: the palette index drawn there (-1: none) and whether it is tall. */
  private best = new Int8Array(0);
  private tall = new Uint8Array(0);
  private cols = 0;
  /** Cells changed by the events being added, to draw once each. */
  private dirty: number[] = [];
  private isDirty = new Uint8Array(0);
  /** The columns (CSS pixels) drawn into since `takeChanged`: [x0, x1), empty when x0 >= x1. */
  private changedX0 = Number.POSITIVE_INFINITY;
  private changedX1 = Number.NEGATIVE_INFINITY;
  /** The layers were painted whole since `takeChanged`. */
  private repainted = false;

  constructor() {
    [this.base, this.baseCtx] = layer();
    [this.ticks, this.ticksCtx] = layer();
  }

  /** Starts over for a view of `buffer` (the canvases are kept) and paints it. */
  reset(key: string, buffer: TraceBuffer, g: LayerGeometry): void {
    this.key = key;
    this.buffer = buffer;
    this.g = g;
    const pw = Math.max(1, Math.round(g.w * g.dpr));
    const ph = Math.max(1, Math.round(g.h * g.dpr));
    for (const c of [this.base, this.ticks]) {
      if (c.width !== pw || c.height !== ph) {
        c.width = pw;
        c.height = ph;
      }
    }
    this.cols = Math.ceil(g.w) + 2;
    const cells = g.lanes * this.cols;
    if (this.best.length !== cells) {
      this.best = new Int8Array(cells);
      this.tall = new Uint8Array(cells);
      this.isDirty = new Uint8Array(cells);
    }
    this.repaint();
  }

  /** Draws what the trace gained since the last call (or repaints, past `MAX_INCREMENT`). */
  update(): void {
    const buffer = this.buffer!;
    const n = buffer.length - this.ticksDrawn;
    if (n > MAX_INCREMENT) {
      this.repaint();
      return;
    }
    this.extendWaits(false);
    if (n > 0) {
      this.addTicks(this.ticksDrawn, buffer.length, 1);
      this.drawDirty();
    }
    this.ticksDrawn = buffer.length;
  }

  /**
   * What changed in the layers since the last call: everything (`all`), or the columns
   * [x0, x1) in CSS pixels (none when x0 >= x1).
   */
  takeChanged(): { all: boolean; x0: number; x1: number } {
    const out = { all: this.repainted, x0: this.changedX0, x1: this.changedX1 };
    this.repainted = false;
    this.changedX0 = Number.POSITIVE_INFINITY;
    this.changedX1 = Number.NEGATIVE_INFINITY;
    return out;
  }

  private changed(x0: number, x1: number): void {
    if (x0 < this.changedX0) this.changedX0 = x0;
    if (x1 > this.changedX1) this.changedX1 = x1;
  }

  /** Paints both layers from the visible range. */
  private repaint(): void {
    this.repainted = true;
    const g = this.g!;
    const buffer = this.buffer!;
    for (const ctx of [this.baseCtx, this.ticksCtx]) ctx.setTransform(g.dpr, 0, 0, g.dpr, 0, 0);
    const b = this.baseCtx;
    b.fillStyle = '#0c0f13';
    b.fillRect(0, 0, g.w, g.h);
    g.axis(b);
    this.ticksCtx.clearRect(0, 0, g.w, g.h);
    this.best.fill(-1);
    this.tall.fill(0);
    this.waitsDrawn = [];
    this.openTo = [];
    this.extendWaits(true);
    const from = Math.max(0, buffer.indexAtTime(g.t0) - 1);
    const to = Math.min(buffer.length, buffer.indexAtTime(g.t1) + 1);
    this.addTicks(from, to, Math.max(1, Math.ceil((to - from) / MAX_TICKS)));
    this.drawDirty();
    this.ticksDrawn = buffer.length;
  }

  /**
   * Draws the wait bands not drawn yet (the open wait of each loop again, up to the newest
   * event). `sample`: far more waits than pixels are sampled (a band of dense waits stays a band).
   */
  private extendWaits(sample: boolean): void {
    const { a, k, gutter, laneH, t0, t1, w } = this.g!;
    const ctx = this.baseCtx;
    ctx.fillStyle = C.wait;
    const buffer = this.buffer!;
    for (let loop = 0; loop < buffer.waits.length; loop++) {
      const ws = buffer.waits[loop]!;
      const starts = ws.start.data;
      const ends = ws.end.data;
      const n = ws.start.length;
      let lo = this.waitsDrawn[loop] ?? -1;
      if (lo < 0) {
        // First paint: from the last wait that starts before the view.
        let hi = n;
        lo = 0;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (starts[mid]! < t0) lo = mid + 1;
          else hi = mid;
        }
        lo = Math.max(0, lo - 1);
      }
      let last = n;
      while (last > lo && starts[last - 1]! > t1) last--;
      const stride = sample ? Math.max(1, Math.floor((last - lo) / (4 * Math.max(1, w - gutter)))) : 1;
      const y = loop * laneH + laneH * 0.28;
      const hh = laneH * 0.44;
      // Waits closer than a pixel are merged into one rectangle.
      let runX0 = -1;
      let runX1 = -1;
      const drawnTo = this.openTo[loop] ?? Number.NEGATIVE_INFINITY;
      for (let i = lo; i < last; i += stride) {
        const e = Number.isNaN(ends[i]!) ? buffer.lastT : ends[i]!;
        // The open slice drawn last time: only its new part.
        const from = i === lo ? Math.max(a + starts[i]! * k, drawnTo - 1) : a + starts[i]! * k;
        const x0 = Math.max(gutter, from);
        const x1 = Math.min(w, a + e * k);
        if (x1 < gutter) continue;
        if (runX0 >= 0 && x0 <= runX1 + 1) {
          if (x1 > runX1) runX1 = x1;
          continue;
        }
        if (runX0 >= 0) this.band(ctx, runX0, runX1, y, hh);
        runX0 = x0;
        runX1 = x1;
      }
      if (runX0 >= 0) this.band(ctx, runX0, runX1, y, hh);
      // The last wait is drawn again next time while it is open (it grows with the trace).
      const open = n > 0 && Number.isNaN(ends[n - 1]!);
      this.waitsDrawn[loop] = open ? n - 1 : n;
      this.openTo[loop] = open && last === n ? Math.min(w, a + buffer.lastT * k) : Number.NEGATIVE_INFINITY;
    }
  }

  private band(ctx: CanvasRenderingContext2D, x0: number, x1: number, y: number, h: number): void {
    const w = Math.max(1, x1 - x0);
    ctx.fillRect(x0, y, w, h);
    this.changed(x0, x0 + w);
  }

  /** Folds events `from`..`to - 1` (every `stride`-th) into the cells, noting the cells that changed. */
  private addTicks(from: number, to: number, stride: number): void {
    const { a, k, gutter, lanes, w } = this.g!;
    const buffer = this.buffer!;
    const loops = buffer.loopOf.data;
    const kinds = buffer.kinds.data;
    const times = buffer.times.data;
    const colors = buffer.colors.data;
    const { best, tall, isDirty, dirty, cols } = this;
    const clientLane = lanes - 1;
    for (let base = from; base < to; base += stride) {
      // A sample anywhere in its stride, not always the first: events that come round in a fixed
      // order (one per loop, then again) would otherwise leave a lane out.
      const i = stride === 1 ? base : base + ((Math.imul(base, 2654435761) >>> 0) % stride);
      if (i >= to) break;
      const x = Math.round(a + times[i]! * k);
      if (x < gutter - 2 || x > w) continue;
      const loop = loops[i]!;
      const lane = loop < 0 ? clientLane : Math.min(loop, clientLane - 1);
      const cell = lane * cols + x;
      const had = best[cell]!;
      const wasTall = tall[cell]!;
      // What a cell shows only gets more telling: a higher color, or tall once any is tall.
      const nb = Math.max(colors[i]!, had);
      const nt = TALL_BY_CODE[kinds[i]!]! | wasTall;
      if (nb === had && nt === wasTall) continue;
      best[cell] = nb;
      tall[cell] = nt;
      if (!isDirty[cell]) {
        isDirty[cell] = 1;
        dirty.push(cell);
      }
    }
  }

  /** Draws the changed cells, neighbours of one look as one rectangle. */
  private drawDirty(): void {
    const dirty = this.dirty;
    if (dirty.length === 0) return;
    dirty.sort((p, q) => p - q);
    const { laneH } = this.g!;
    const ctx = this.ticksCtx;
    const { best, tall, isDirty, cols } = this;
    let fill = -1;
    let i = 0;
    while (i < dirty.length) {
      const start = dirty[i]!;
      const color = best[start]!;
      const t = tall[start]!;
      let end = start;
      // A run: the next cells in the same lane, changed too, with the same color and height.
      while (
        i + 1 < dirty.length &&
        dirty[i + 1] === end + 1 &&
        (end + 1) % cols !== 0 &&
        best[end + 1] === color &&
        tall[end + 1] === t
      ) {
        i++;
        end++;
      }
      i++;
      const lane = Math.floor(start / cols);
      const x = start - lane * cols;
      if (color !== fill) {
        ctx.fillStyle = PALETTE[color]!;
        fill = color;
      }
      // Each tick is 1.5 px wide: a run of n ticks covers n - 1 + 1.5 px.
      const width = end - start + 1.5;
      if (t) ctx.fillRect(x, lane * laneH + 2, width, laneH - 4);
      else ctx.fillRect(x, lane * laneH + laneH * 0.2, width, laneH * 0.6);
      this.changed(x, x + width);
    }
    for (const c of dirty) isDirty[c] = 0;
    dirty.length = 0;
  }
}
