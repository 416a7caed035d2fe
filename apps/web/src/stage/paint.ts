/**
 * Small 2D-canvas helpers for the stage: the page's fonts, rounded boxes, and text drawn in
 * batches. With software rendering, setting `ctx.font` costs more than drawing the text and
 * reading it back costs half as much again, so `text` only queues the string and `flushText`
 * draws the queue font by font, after the shapes (no stage text is covered by a shape).
 */

export type Ctx = CanvasRenderingContext2D;

export interface TextStyle {
  size: number;
  color: string;
  weight?: number;
  mono?: boolean;
  align?: CanvasTextAlign;
}

const fonts = { sans: 'system-ui, sans-serif', mono: 'ui-monospace, monospace' };
let fontsRead = false;

/** The page's font stacks (`--sans`, `--mono` in styles.css), read once. */
function readFonts(): void {
  if (fontsRead) return;
  fontsRead = true;
  const css = getComputedStyle(document.documentElement);
  fonts.sans = css.getPropertyValue('--sans').trim() || fonts.sans;
  fonts.mono = css.getPropertyValue('--mono').trim() || fonts.mono;
}

const fontCache = new Map<number, string>();

/** The canvas `font` of a style. */
export function fontOf(st: TextStyle): string {
  const key = (st.weight ?? 400) * 10_000 + st.size * 10 + (st.mono ? 1 : 0);
  let f = fontCache.get(key);
  if (!f) {
    readFonts();
    f = `${st.weight ?? 400} ${st.size}px ${st.mono ? fonts.mono : fonts.sans}`;
    fontCache.set(key, f);
  }
  return f;
}

interface Queued {
  s: string;
  x: number;
  y: number;
  color: string;
  align: CanvasTextAlign;
  alpha: number;
}

const queue = new Map<string, Queued[]>();
let alpha = 1;

/** The opacity of the texts queued from now on (a closed connection is drawn faded). */
export function textAlpha(a: number): void {
  alpha = a;
}

/** Queues `s` with its baseline at y (as SVG text does). */
export function text(s: string, x: number, y: number, st: TextStyle): void {
  if (s === '') return;
  const font = fontOf(st);
  let q = queue.get(font);
  if (!q) {
    q = [];
    queue.set(font, q);
  }
  q.push({ s, x, y, color: st.color, align: st.align ?? 'left', alpha });
}

/** Queues left-aligned `s` like `text`; returns the x right after it (measured once per string). */
export function textThen(ctx: Ctx, s: string, x: number, y: number, st: TextStyle): number {
  text(s, x, y, st);
  return s === '' ? x : x + measure(ctx, s, fontOf(st));
}

/** Draws every queued text, one font at a time, and empties the queue. */
export function flushText(ctx: Ctx): void {
  let fill = '';
  let align: CanvasTextAlign | '' = '';
  let a = -1;
  for (const [font, q] of queue) {
    if (q.length === 0) continue;
    ctx.font = font;
    for (const t of q) {
      if (t.color !== fill) {
        fill = t.color;
        ctx.fillStyle = fill;
      }
      if (t.align !== align) {
        align = t.align;
        ctx.textAlign = t.align;
      }
      if (t.alpha !== a) {
        a = t.alpha;
        ctx.globalAlpha = a;
      }
      ctx.fillText(t.s, t.x, t.y);
    }
    q.length = 0;
  }
  ctx.globalAlpha = 1;
  alpha = 1;
}

/** Strings measured per font: the same labels come back every frame. */
const widths = new Map<string, number>();
const MAX_WIDTHS = 4096;

/** Width of `s` in `font` (CSS pixels). */
export function measure(ctx: Ctx, s: string, font: string): number {
  const key = `${font}\u0000${s}`;
  let w = widths.get(key);
  if (w === undefined) {
    ctx.font = font;
    w = ctx.measureText(s).width;
    if (widths.size >= MAX_WIDTHS) widths.clear();
    widths.set(key, w);
  }
  return w;
}

/** A rounded rectangle path. */
export function roundRect(ctx: Ctx, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, Math.max(0, Math.min(r, w / 2, h / 2)));
}

export interface BoxStyle {
  fill?: string;
  stroke?: string;
  lineWidth?: number;
}

/** A rounded box, filled and/or stroked. */
export function box(ctx: Ctx, x: number, y: number, w: number, h: number, r: number, st: BoxStyle): void {
  if (w <= 0 || h <= 0) return;
  roundRect(ctx, x, y, w, h, r);
  if (st.fill) {
    ctx.fillStyle = st.fill;
    ctx.fill();
  }
  if (st.stroke) {
    ctx.strokeStyle = st.stroke;
    ctx.lineWidth = st.lineWidth ?? 1;
    ctx.stroke();
  }
}
