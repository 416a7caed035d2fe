import { describe, expect, it } from 'vitest';
import { parseRow, type Sample, type Workload } from '../rows';
import { bootstrapMedianInterval, buildLines, checkTargets, median, pairedRatios } from '../table';

const w: Workload = { conns: 50, size: 64, load: 'raw' };

function sample(rps: number): Sample {
  return {
    rps,
    p50ms: 1,
    p99ms: 2,
    cpuCores: 1,
    cpuUsPerReq: 1e6 / rps,
    loadCpuCores: 0.8,
    loadCpuUsPerReq: 12,
    sysPerReq: 4,
    wakePerAccept: null,
    load1: 1,
  };
}

/** Lines for rows given their req/s repeat by repeat (null: that run failed). */
function lines(byRow: Record<string, (number | null)[]>) {
  const rows = Object.keys(byRow).map(parseRow);
  const samples = new Map(
    Object.entries(byRow).map(([id, rps]) => [
      `${id}|50c x 64B raw`,
      rps.map((r) => (r === null ? null : sample(r))),
    ]),
  );
  return buildLines(rows, [w], samples, new Map());
}

describe('bench targets', () => {
  it('pairs the runs of one repeat, skipping a repeat where either run failed', () => {
    const ls = lines({ node: [100, 50, 80, null], 'evio-1': [110, 45, null, 70] });
    expect(pairedRatios(ls[1], ls[0])).toEqual([1.1, 0.9]);
    expect(pairedRatios(undefined, ls[0])).toEqual([]);
  });

  it('gives the verdict on the ratio of the medians and shows the ratios repeat by repeat', () => {
    // Node drifts from 100k to 60k over the repeats; evio-1 tracks it at +5%, except once.
    const out = checkTargets(
      lines({
        node: [100, 90, 80, 70, 60],
        'evio-1': [105, 94.5, 84, 73.5, 54],
        'evio-1-trace': [84, 85, 70, 60, 50],
      }),
    );
    expect(out[0]).toBe(
      'MET   evio-1 req/s / node req/s >= 1.0 (64 B): 1.05 (repeat by repeat: median 1.05, 95% interval 0.90-1.05, range 0.90-1.05, met in 4 of 5)',
    );
    expect(out[1]).toBe(
      'MISS  evio-1 tracing on / off >= 0.9 (64 B): 0.83 (repeat by repeat: median 0.83, 95% interval 0.80-0.93, range 0.80-0.93, met in 1 of 5)',
    );
    expect(out[2]).toBe('n/a   evio-2 tracing on / off >= 0.9 (64 B): not measured');
  });

  it('gives a bootstrap interval of the median ratio that holds the median and narrows with agreement', () => {
    expect(bootstrapMedianInterval([1, 1.1, 0.9, 1.2])).toBeNull(); // too few pairs
    expect(bootstrapMedianInterval([1.05, 1.05, 1.05, 1.05, 1.05])).toEqual([1.05, 1.05]);
    const wide = [0.74, 0.85, 0.93, 0.98, 0.99, 1.02, 1.08, 1.12];
    const [lo, hi] = bootstrapMedianInterval(wide)!;
    expect(lo).toBeLessThan(median(wide)!);
    expect(hi).toBeGreaterThan(median(wide)!);
    // Resampled medians rarely reach the extremes: the interval is inside the range, not the range.
    expect(lo).toBeGreaterThan(0.74);
    expect(hi).toBeLessThan(1.12);
    // The same ratios, closer together around the same median: a narrower interval.
    const tight = wide.map((x) => 0.985 + (x - 0.985) / 4);
    const [tlo, thi] = bootstrapMedianInterval(tight)!;
    expect(thi - tlo).toBeLessThan((hi - lo) / 2);
    // Seeded: the same ratios give the same interval every time.
    expect(bootstrapMedianInterval(wide)).toEqual([lo, hi]);
  });
});
