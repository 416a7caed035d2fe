/** The benchmark's result table (medians of the repeats) and the issue targets checked on it. */
import { Prng } from '../packages/engine/src/sim/prng';
import type { LoadKind } from './procs';
import type { Row, Sample, Workload } from './rows';

/** One line of the table: a row under a workload, medians over its repeats. */
export interface Line {
  row: string;
  workload: string;
  /** The load generator of the workload. */
  load: LoadKind;
  runs: number;
  failures: number;
  rps: number | null;
  ratioToNode: number | null;
  p50ms: number | null;
  p99ms: number | null;
  sysPerReq: number | null;
  /** Where sysPerReq comes from: the recording, the kernels' counters, or none. */
  sysSource: 'trace' | 'counter' | null;
  wakePerAccept: number | null;
  cpuCores: number | null;
  cpuUsPerReq: number | null;
  /** The `node` row's server CPU per request over this row's (> 1: this server is cheaper per request). */
  cpuRatioToNode: number | null;
  /** The load generator's own CPU: cores, and microseconds per request. */
  loadCpuCores: number | null;
  loadCpuUsPerReq: number | null;
  load1: number[];
  /** req/s of each repeat, in run order (null: that run failed): the targets pair them up. */
  rpsByRepeat: (number | null)[];
}

/** The median of the finite values; null if none. */
export function median(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export const workloadName = (w: Workload): string =>
  `${w.conns}c x ${w.size >= 1024 ? `${w.size / 1024}KiB` : `${w.size}B`} ${w.load}`;

/** Builds the lines; `herds` holds the short-herd figure of multi-loop rows without a trace. */
export function buildLines(
  rows: Row[],
  workloads: Workload[],
  samples: Map<string, (Sample | null)[]>,
  herds: Map<string, number>,
): Line[] {
  const lines: Line[] = [];
  for (const w of workloads) {
    const nodeSamples = samples.get(`node|${workloadName(w)}`) ?? [];
    const nodeRps = median(nodeSamples.map((s) => s?.rps ?? null));
    const nodeCpu = median(nodeSamples.map((s) => s?.cpuUsPerReq ?? null));
    for (const row of rows) {
      const all = samples.get(`${row.id}|${workloadName(w)}`) ?? [];
      const ok = all.filter((s): s is Sample => s !== null);
      const rps = median(ok.map((s) => s.rps));
      const wake = median(ok.map((s) => s.wakePerAccept)) ?? herds.get(row.id) ?? null;
      const sys = median(ok.map((s) => s.sysPerReq));
      const cpu = median(ok.map((s) => s.cpuUsPerReq));
      lines.push({
        row: row.id,
        workload: workloadName(w),
        load: w.load,
        runs: all.length,
        failures: all.length - ok.length,
        rps,
        ratioToNode: rps !== null && nodeRps ? rps / nodeRps : null,
        p50ms: median(ok.map((s) => s.p50ms)),
        p99ms: median(ok.map((s) => s.p99ms)),
        sysPerReq: sys,
        sysSource: sys === null ? null : row.trace ? 'trace' : 'counter',
        wakePerAccept: wake,
        cpuCores: median(ok.map((s) => s.cpuCores)),
        cpuUsPerReq: cpu,
        cpuRatioToNode: cpu !== null && nodeCpu !== null ? nodeCpu / cpu : null,
        loadCpuCores: median(ok.map((s) => s.loadCpuCores)),
        loadCpuUsPerReq: median(ok.map((s) => s.loadCpuUsPerReq)),
        load1: ok.map((s) => s.load1),
        rpsByRepeat: all.map((s) => s?.rps ?? null),
      });
    }
  }
  return lines;
}

const f = (x: number | null, digits: number): string => (x === null ? '-' : x.toFixed(digits));

/** The table as fixed-width text. */
export function formatTable(lines: Line[]): string {
  const head = [
    'row',
    'workload',
    'req/s',
    'x node',
    'p50 ms',
    'p99 ms',
    'sys/req',
    'wake/acc',
    'cpu',
    'cpu us/req',
    'cpu x node',
    'gen cpu',
    'gen us/req',
    'load1',
  ];
  const body = lines.map((l) => [
    l.failures > 0 ? `${l.row} (${l.failures}/${l.runs} failed)` : l.row,
    l.workload,
    l.rps === null ? '-' : Math.round(l.rps).toString(),
    f(l.ratioToNode, 2),
    f(l.p50ms, 3),
    f(l.p99ms, 3),
    l.sysPerReq === null ? '-' : `${l.sysPerReq.toFixed(2)}${l.sysSource === 'counter' ? 'c' : 't'}`,
    f(l.wakePerAccept, 2),
    f(l.cpuCores, 2),
    f(l.cpuUsPerReq, 1),
    f(l.cpuRatioToNode, 2),
    f(l.loadCpuCores, 2),
    f(l.loadCpuUsPerReq, 1),
    l.load1.map((x) => x.toFixed(1)).join(','),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)].join('\n');
}

/**
 * The targets of the issues, checked on the 50-connection 64 B lines of each load generator that
 * ran (the targets are meant for `raw`: under `net` the load generator limits every row).
 */
export function checkTargets(lines: Line[]): string[] {
  const out: string[] = [];
  const loads = [...new Set(lines.map((l) => l.load))];
  for (const load of loads) out.push(...checkTargetsOf(lines, load, loads.length > 1 ? `[${load}] ` : ''));
  return out;
}

/**
 * The ratios of two lines repeat by repeat: the two runs of a pair ran one after the other, so
 * the machine's drift between repeats (other jobs coming and going) cancels out of each ratio.
 */
export function pairedRatios(a: Line | undefined, b: Line | undefined): number[] {
  if (!a || !b) return [];
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.rpsByRepeat.length, b.rpsByRepeat.length); i++) {
    const x = a.rpsByRepeat[i];
    const y = b.rpsByRepeat[i];
    if (x != null && y != null && y > 0) out.push(x / y);
  }
  return out;
}

/** Resamples of the bootstrap interval, and the fewest paired ratios it is given for. */
const BOOTSTRAP_RESAMPLES = 4000;
export const BOOTSTRAP_MIN_PAIRS = 5;

/**
 * A 95% percentile-bootstrap interval of the median of `xs`: the median of `xs` resampled with
 * replacement, 4000 times, cut at 2.5% and 97.5%. Seeded, so the same ratios always give the
 * same interval. Null below 5 values, where the interval means little. It says how far the
 * median of the paired ratios could move if the benchmark were run again under the same
 * conditions: a target inside it is not decided by this run.
 */
export function bootstrapMedianInterval(xs: number[], seed = 1): [number, number] | null {
  if (xs.length < BOOTSTRAP_MIN_PAIRS) return null;
  const rng = new Prng(seed);
  const sample = new Array<number>(xs.length);
  const medians: number[] = [];
  for (let b = 0; b < BOOTSTRAP_RESAMPLES; b++) {
    for (let i = 0; i < xs.length; i++) sample[i] = xs[rng.int(xs.length)]!;
    medians.push(median(sample)!);
  }
  medians.sort((a, b) => a - b);
  const at = (q: number) => medians[Math.min(medians.length - 1, Math.floor(q * medians.length))]!;
  return [at(0.025), at(0.975)];
}

function checkTargetsOf(lines: Line[], load: LoadKind, tag: string): string[] {
  const at = (row: string) =>
    lines.find((l) => l.row === row && l.workload === workloadName({ conns: 50, size: 64, load }));
  const out: string[] = [];
  const check = (
    what: string,
    value: number | null | undefined,
    ok: (v: number) => boolean,
    pairs: number[] = [],
  ) => {
    const shown = value === null || value === undefined ? 'not measured' : value.toFixed(2);
    const verdict = value === null || value === undefined ? 'n/a ' : ok(value) ? 'MET ' : 'MISS';
    let spread = '';
    if (pairs.length > 1) {
      const sorted = [...pairs].sort((x, y) => x - y);
      const met = pairs.filter(ok).length;
      const ci = bootstrapMedianInterval(pairs);
      spread =
        ` (repeat by repeat: median ${median(pairs)!.toFixed(2)}` +
        (ci ? `, 95% interval ${ci[0].toFixed(2)}-${ci[1].toFixed(2)}` : '') +
        `, range ${sorted[0]!.toFixed(2)}-${sorted[sorted.length - 1]!.toFixed(2)}, met in ${met} of ${pairs.length})`;
    }
    out.push(`${verdict}  ${tag}${what}: ${shown}${spread}`);
  };
  check(
    'evio-1 req/s / node req/s >= 1.0 (64 B)',
    at('evio-1')?.ratioToNode,
    (v) => v >= 1.0,
    pairedRatios(at('evio-1'), at('node')),
  );
  for (const n of [1, 2]) {
    const on = at(`evio-${n}-trace`);
    const off = at(`evio-${n}`);
    check(
      `evio-${n} tracing on / off >= 0.9 (64 B)`,
      on?.rps && off?.rps ? on.rps / off.rps : null,
      (v) => v >= 0.9,
      pairedRatios(on, off),
    );
  }
  check(
    'direct-write-1 req/s / node req/s >= 1.5 (64 B)',
    at('direct-write-1')?.ratioToNode,
    (v) => v >= 1.5,
    pairedRatios(at('direct-write-1'), at('node')),
  );
  check(
    'direct-write-1 syscalls per request <= 2.1 (64 B)',
    at('direct-write-1')?.sysPerReq,
    (v) => v <= 2.1,
  );
  return out;
}
