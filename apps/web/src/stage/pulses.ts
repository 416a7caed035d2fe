/**
 * The wake pulse: a ring that expands and fades around a loop's ready-count dot each time its
 * `epoll_wait` returns with something ready, drawn last on the stage's canvas. While a ring
 * lives the stage is drawn again (every frame, or at the stage's fast pace). Rings as animated
 * elements cost a software-rendered page far more (a composited layer each, made and dropped).
 */
import { C } from '../theme';
import { DOT_X, DOT_Y, type StageLayout } from './layout';
import type { Ctx } from './paint';

const DURATION_MS = 650;
/** Rings alive at once per loop at most: at thousands of wakes a second a lane would blur. */
const MAX_RINGS = 4;
const R0 = 10;
const GROW = 3.2;

/** CSS `cubic-bezier(x1, y1, x2, y2)` as a function of progress 0..1. */
function cubicBezier(x1: number, y1: number, x2: number, y2: number): (p: number) => number {
  const bx = (t: number) => 3 * (1 - t) * (1 - t) * t * x1 + 3 * (1 - t) * t * t * x2 + t * t * t;
  const by = (t: number) => 3 * (1 - t) * (1 - t) * t * y1 + 3 * (1 - t) * t * t * y2 + t * t * t;
  return (p) => {
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 20; i++) {
      const mid = (lo + hi) / 2;
      if (bx(mid) < p) lo = mid;
      else hi = mid;
    }
    return by((lo + hi) / 2);
  };
}
const ease = cubicBezier(0.2, 0.7, 0.3, 1);

interface Ring {
  loop: number;
  t0: number;
}

export class Pulses {
  private rings: Ring[] = [];
  private readonly lastWake = new Map<number, number>();
  /** Pulses started so far, per loop index (exposed on the stage's description). */
  readonly started: number[] = [];

  /** Starts a ring for each loop whose last wake-up with something ready is new. */
  update(layout: StageLayout, now: number): void {
    for (const lane of layout.lanes) {
      const l = lane.data.loop;
      const prev = this.lastWake.get(l.index);
      this.lastWake.set(l.index, l.lastWakeSeq);
      if (prev === l.lastWakeSeq || l.lastWakeSeq < 0 || l.lastReady <= 0) continue;
      this.started[l.index] = (this.started[l.index] ?? 0) + 1;
      let alive = 0;
      for (const r of this.rings) if (r.loop === l.index) alive++;
      if (alive < MAX_RINGS) this.rings.push({ loop: l.index, t0: now });
    }
  }

  /** Whether a ring is still expanding (the stage must be drawn again). */
  active(now: number): boolean {
    if (this.rings.length > 0 && now - this.rings[0]!.t0 >= DURATION_MS) {
      this.rings = this.rings.filter((r) => now - r.t0 < DURATION_MS);
    }
    return this.rings.length > 0;
  }

  /** Draws the living rings over their loops' dots. */
  draw(ctx: Ctx, layout: StageLayout, now: number): void {
    if (this.rings.length === 0) return;
    ctx.strokeStyle = C.wake;
    for (const r of this.rings) {
      const lane = layout.lanes.find((l) => l.data.loop.index === r.loop);
      if (!lane) continue;
      const e = ease(Math.max(0, Math.min(1, (now - r.t0) / DURATION_MS)));
      const scale = 1 + (GROW - 1) * e;
      ctx.globalAlpha = 0.95 * (1 - e);
      ctx.lineWidth = 2 * scale;
      ctx.beginPath();
      ctx.arc(lane.head.x + DOT_X, lane.head.y + DOT_Y, R0 * scale, 0, Math.PI * 2);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  /** Forgets every ring (an empty stage). */
  clear(): void {
    this.rings = [];
    this.lastWake.clear();
  }
}
