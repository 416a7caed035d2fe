/** The table of `web-live.ts`: one line per row and repeat, then the medians. */
import { median } from './table';
import type { Window } from './web-live-page';

/** One measured row of one repeat (`repeat` -1: the medians). */
export interface Line extends Window {
  row: string;
  repeat: number;
  offeredPerS: number;
  load1: number;
}

export const f0 = (x: number) => Math.round(x).toLocaleString('en-US');
export const f1 = (x: number) => x.toFixed(1);
export const f2 = (x: number) => x.toFixed(2);

export function table(lines: Line[]): string {
  const head = [
    'row',
    'rep',
    'fps',
    'long',
    'worst ms',
    'offered/s',
    'arrived/s',
    'applied/s',
    'dropped',
    'main cpu',
    'ms/frame',
    'script',
    'layout',
    'style',
    'browser cpu',
    'load1',
  ];
  const rows = lines.map((l) => [
    l.row,
    l.repeat < 0 ? 'med' : String(l.repeat + 1),
    f1(l.fps),
    String(l.longFrames),
    f0(l.worstMs),
    l.row.startsWith('live') ? f0(l.offeredPerS) : '',
    l.row.startsWith('live') ? f0(l.arrivedPerS) : '',
    l.row.startsWith('live') ? f0(l.appliedPerS) : '',
    l.row.startsWith('live') ? f0(l.dropped) : '',
    f2(l.mainCpu),
    f1((1000 * l.mainCpu) / Math.max(1e-9, l.fps)),
    f2(l.script),
    f2(l.layout),
    f2(l.style),
    f2(l.browserCpu),
    f1(l.load1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(head), ...rows.map(fmt)].join('\n');
}

export function medians(lines: Line[]): Line[] {
  const names = [...new Set(lines.map((l) => l.row))];
  return names.map((row) => {
    const of = lines.filter((l) => l.row === row);
    const m = (k: keyof Window | 'offeredPerS' | 'load1') =>
      median(of.map((l) => l[k] as number)) ?? Number.NaN;
    return {
      row,
      repeat: -1,
      seconds: m('seconds'),
      fps: m('fps'),
      longFrames: m('longFrames'),
      worstMs: m('worstMs'),
      arrivedPerS: m('arrivedPerS'),
      appliedPerS: m('appliedPerS'),
      dropped: m('dropped'),
      mainCpu: m('mainCpu'),
      script: m('script'),
      layout: m('layout'),
      style: m('style'),
      browserCpu: m('browserCpu'),
      offeredPerS: m('offeredPerS'),
      load1: m('load1'),
    };
  });
}
