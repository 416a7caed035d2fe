/**
 * The two sides of the compare view: a trace (header, events, numbers) from the current view, a
 * simulation, a recording file or an strace log, and the rows of numbers set side by side.
 */
import {
  computeStats,
  decodeRecording,
  type StraceImportSummary,
  type TraceEvent,
  type TraceHeader,
  type TraceStats,
} from '@loopscope/trace';
import { loadSimEngine, type SimRunOptions } from '../sources/sim-engine';
import { importStraceSliced, sniffFormat } from '../sources/strace-import';
import type { RunParams } from '../sources/types';
import { fmtBytes } from '../theme';

/** A simulated side stops here (the compare view holds both traces in memory). */
const MAX_SIM_EVENTS = 1_000_000;

export interface Side {
  label: string;
  header: TraceHeader | null;
  events: TraceEvent[];
  stats: TraceStats | null;
  /** For an imported strace log: what the importer found. */
  summary: StraceImportSummary | null;
  error: string | null;
}

export const EMPTY_SIDE: Side = {
  label: '',
  header: null,
  events: [],
  stats: null,
  summary: null,
  error: null,
};

export function sideOf(
  label: string,
  header: TraceHeader | null,
  events: TraceEvent[],
  summary: StraceImportSummary | null = null,
  error: string | null = null,
): Side {
  return {
    label,
    header,
    events,
    stats: events.length > 0 ? computeStats(header, events) : null,
    summary,
    error,
  };
}

/** Runs the simulator to the end (or `MAX_SIM_EVENTS`), yielding to the page between slices. */
export async function simulateSide(run: RunParams, cancelled: () => boolean): Promise<Side | null> {
  const engine = await loadSimEngine();
  const sim = engine.createSimRun({
    scenario: run.scenario,
    mode: run.mode as SimRunOptions['mode'],
    loops: run.loops,
    balance: run.balance as SimRunOptions['balance'],
    seed: run.seed,
    params: run.params,
  });
  const events: TraceEvent[] = [];
  while (!sim.done && events.length < MAX_SIM_EVENTS) {
    for (const e of sim.advance(20000)) events.push(e);
    await new Promise((res) => setTimeout(res, 0));
    if (cancelled()) return null;
  }
  const params = Object.entries(run.params)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const label = `sim · ${run.scenario} · ${run.mode} · ${run.loops} loop${run.loops === 1 ? '' : 's'} · ${run.balance}${params ? ` · ${params}` : ''}`;
  return sideOf(label, sim.header, events);
}

/** Reads a dropped or picked file: an NDJSON recording or an strace log, told apart by content. */
export async function fileSide(file: File, cancelled: () => boolean): Promise<Side | null> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (sniffFormat(bytes) === 'strace') {
    const events: TraceEvent[] = [];
    try {
      const res = await importStraceSliced(bytes, {
        onEvents: (b) => {
          for (let i = 0; i < b.length; i++) events.push(b[i]!);
        },
        onProgress: () => {},
        cancelled,
      });
      if (!res) return null;
      const prog = res.header.source.program ? ` (${res.header.source.program})` : '';
      return sideOf(`${file.name} · strace${prog}`, res.header, events, res.summary);
    } catch (err) {
      return { ...EMPTY_SIDE, label: file.name, error: err instanceof Error ? err.message : String(err) };
    }
  }
  const d = decodeRecording(bytes, { tolerant: true, source: file.name });
  return sideOf(file.name, d.header, d.events, null, d.error ? d.error.message : null);
}

/** A row of the numbers table: how to read it from the stats, and how to print it. */
export interface CompareRow {
  key: string;
  label: string;
  value: (s: TraceStats, side: Side) => number | null;
  fmt?: (v: number) => string;
  /** Whether a higher value is worse (drives the color of a difference). */
  worse?: 'higher' | 'lower';
}

const fixed2 = (v: number) => Number(v.toFixed(2)).toLocaleString();
const fromLog = (side: Side) => side.header?.source.type === 'strace';

export const COMPARE_ROWS: CompareRow[] = [
  { key: 'loops', label: 'loops', value: (s) => s.loops },
  { key: 'connections', label: 'connections accepted', value: (s) => s.acceptsWon },
  {
    key: 'wakeupsPerAccept',
    label: 'listener wake-ups / accept',
    value: (s) => (s.acceptsWon > 0 ? s.listenerWakeupsPerAccept : null),
    fmt: fixed2,
    worse: 'higher',
  },
  {
    key: 'kernelWakeupsPerAccept',
    label: 'loops woken / accept (kernel count)',
    value: (s) => s.kernelWakeupsPerAccept,
    fmt: fixed2,
    worse: 'higher',
  },
  { key: 'acceptsWon', label: 'accepts won', value: (s) => s.acceptsWon },
  {
    key: 'acceptsEagain',
    label: 'accepts EAGAIN (lost the race)',
    value: (s) => s.acceptsEagain,
    worse: 'higher',
  },
  {
    key: 'acceptsDeclined',
    label: 'accepts declined (woke, no accept)',
    value: (s) => s.acceptsDeclined,
    worse: 'higher',
  },
  { key: 'wakeups', label: 'wake-ups (n > 0)', value: (s) => s.wakeups },
  { key: 'requests', label: 'requests (reads with data)', value: (s) => s.requests },
  {
    key: 'ctlModPerRequest',
    label: 'epoll MOD / request',
    value: (s) => (s.requests > 0 ? s.ctlModPerRequest : null),
    fmt: fixed2,
    worse: 'higher',
  },
  {
    key: 'syscallsPerRequest',
    label: 'syscalls / request',
    value: (s) => (s.requests > 0 ? s.syscallsPerRequest : null),
    fmt: fixed2,
    worse: 'higher',
  },
  { key: 'eagainWrites', label: 'EAGAIN writes', value: (s) => s.writesEagain, worse: 'higher' },
  { key: 'partialWrites', label: 'partial writes', value: (s) => s.partialWrites },
  {
    key: 'bytesLost',
    label: 'bytes lost (overwritten)',
    value: (s, side) => (fromLog(side) ? null : s.outputBytesOverwritten),
    fmt: fmtBytes,
    worse: 'higher',
  },
  {
    key: 'clientMismatches',
    label: 'client byte mismatches',
    value: (s, side) => (fromLog(side) ? null : s.clientMismatches),
    worse: 'higher',
  },
  { key: 'events', label: 'events', value: (s) => s.events },
];

/** Whether two values differ enough to point out: 5 % of the larger, or zero against non-zero. */
export function differs(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return false;
  if (a === b) return false;
  const big = Math.max(Math.abs(a), Math.abs(b));
  return Math.abs(a - b) > big * 0.05;
}

/** `×4.0` for a ratio, `+12` / `−3` when one side is small. */
export function diffText(a: number, b: number): string {
  if (a !== 0 && b !== 0 && Math.max(a, b) / Math.min(a, b) >= 1.5) {
    const r = b / a;
    return r >= 1 ? `×${fixed2(r)}` : `÷${fixed2(1 / r)}`;
  }
  const d = b - a;
  return `${d > 0 ? '+' : '−'}${fixed2(Math.abs(d))}`;
}
