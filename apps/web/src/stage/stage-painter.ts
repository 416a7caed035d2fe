/**
 * Keeps the stage's canvas and its description in step with the model, called once per
 * animation frame by the store's frame loop (never by React). The canvas is drawn when the
 * model, the size or the pixel ratio changed, or while a wake pulse expands (at most every
 * `FAST_DRAW_MS` while events go by fast); the description is written at most every
 * `DESCRIBE_MS` then, else at once.
 */
import type { Model } from '../model/types';
import type { FrameView } from '../store/store';
import { StageDescription } from './describe';
import { drawStage } from './draw-stage';
import { clientSentence, connSentence, laneSentence, listenerSentence } from './labels';
import { hitTest, layoutStage, type StageLayout } from './layout';
import { Pulses } from './pulses';
import { type StageData, stageData } from './stage-data';

/** The description is rewritten at most this often while events go by fast. */
const DESCRIBE_MS = 250;
/**
 * While events go by faster than the eye follows (following a live run, playing fast), the
 * canvas is drawn at most this often (every other frame at 60 Hz: 30 pictures a second of
 * hundreds of events each); the timeline carries the pace.
 */
const FAST_DRAW_MS = 30;

export class StagePainter {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly description: StageDescription;
  private readonly pulses = new Pulses();
  private readonly resize: ResizeObserver;
  private size = { w: 0, h: 0 };
  /** What the canvas shows: the model (object, events applied, trace, its length), the size. */
  private drawnModel: unknown[] = [];
  private drawnSize: unknown[] = [];
  private lastDraw = Number.NEGATIVE_INFINITY;
  private described: unknown[] = [];
  private lastDescribe = Number.NEGATIVE_INFINITY;
  private layout: StageLayout | null = null;
  private data: StageData | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    descriptionRoot: HTMLElement,
    box: HTMLElement,
  ) {
    this.ctx = canvas.getContext('2d')!;
    this.description = new StageDescription(descriptionRoot);
    this.resize = new ResizeObserver((entries) => {
      const r = entries[entries.length - 1]?.contentRect;
      if (r) this.size = { w: r.width, h: r.height };
    });
    this.resize.observe(box);
  }

  dispose(): void {
    this.resize.disconnect();
  }

  /** One animation frame. */
  frame(v: FrameView, now: number): void {
    const dpr = window.devicePixelRatio || 1;
    const { w, h } = this.size;
    const m = v.model;
    const modelKey = [m, m.applied, v.buffer, v.buffer.length];
    const sizeKey = [w, h, dpr];
    const modelChanged = !same(modelKey, this.drawnModel);
    const sizeChanged = !same(sizeKey, this.drawnSize);
    const due = !v.fast || now - this.lastDraw >= FAST_DRAW_MS;
    if (sizeChanged || ((modelChanged || this.pulses.active(now)) && due)) {
      const d = modelChanged || !this.data ? this.dataOf(v) : this.data;
      this.draw(d, w, h, dpr, now);
      this.data = d;
      this.drawnModel = modelKey;
      this.drawnSize = sizeKey;
      this.lastDraw = now;
    }
    if (!same(modelKey, this.described) && (!v.fast || now - this.lastDescribe >= DESCRIBE_MS)) {
      const d = this.data && same(modelKey, this.drawnModel) ? this.data : this.dataOf(v);
      this.description.update(d, this.pulses.started);
      this.canvas.setAttribute('aria-label', this.description.label(d));
      this.described = modelKey;
      this.lastDescribe = now;
    }
  }

  private dataOf(v: FrameView): StageData {
    const m: Model = v.model;
    const i = m.applied - 1;
    const ev = i >= 0 && i < v.buffer.length ? v.buffer.event(i) : undefined;
    const fd = ev && 'fd' in ev && typeof ev.fd === 'number' ? ev.fd : null;
    return stageData(m, v.header?.mode ?? '—', fd, ev?.loop ?? -2);
  }

  private draw(d: StageData, w: number, h: number, dpr: number, now: number): void {
    const c = this.canvas;
    const pw = Math.round(w * dpr);
    const ph = Math.round(h * dpr);
    if (c.width !== pw || c.height !== ph) {
      c.width = pw;
      c.height = ph;
    }
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, pw, ph);
    if (d.lanes.length === 0 && d.listeners.length === 0 && d.clients.length === 0) {
      this.layout = null;
      this.pulses.clear();
      return;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const L = layoutStage(d, w, h);
    this.pulses.update(L, now);
    drawStage(ctx, d, L, { fd: d.focusFd, loop: d.focusLoop, seq: d.seq });
    this.pulses.draw(ctx, L, now);
    this.layout = L;
  }

  /** The sentence for what is under (x, y) of the canvas (CSS pixels), or '' for nothing. */
  describeAt(x: number, y: number): string {
    const L = this.layout;
    const d = this.data;
    if (!L || !d) return '';
    const hit = hitTest(L, x, y);
    if (!hit) return '';
    switch (hit.kind) {
      case 'conn':
        return `loop ${hit.lane.data.loop.index} · ${connSentence(hit.conn.conn, hit.lane.data.fromLog)}`;
      case 'loop':
        return laneSentence(hit.lane.data);
      case 'listener':
        return listenerSentence(hit.listener.listener);
      case 'client':
        return clientSentence(hit.client.client);
    }
  }
}

function same(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
