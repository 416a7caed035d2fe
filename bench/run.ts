/**
 * `pnpm bench`: closed-loop echo throughput of the engine's modes against Node's `net` echo
 * server, measured in the same run. Every row runs in its own server process, the load generator
 * in another; rows run interleaved, each repeated, and the table shows medians. Loopback only,
 * every process bounded in time. A benchmark, not a test: it prints and never fails on figures.
 *
 * Options: --seconds N (3), --warmup MS (1000), --repeats N (2), --rows a,b (see rows.ts),
 * --sizes 64,16384, --conns 50 (a list: `--conns 50,1` adds the one-connection workloads),
 * --load raw|net (the load generator, `raw` by default; `--load raw,net` runs both, interleaved),
 * --json (print the result as JSON instead of the table).
 */
import { availableParallelism, cpus, release } from 'node:os';
import { parseArgs } from 'node:util';
import { LOAD_KINDS, type LoadKind } from './procs';
import { DEFAULT_ROWS, herd, parseRow, type Row, readLoad, runRow, type Sample, type Workload } from './rows';
import { buildLines, checkTargets, formatTable, workloadName } from './table';

const HELP = `usage: pnpm bench -- [--seconds 3] [--warmup 1000] [--repeats 2] [--rows ${DEFAULT_ROWS.slice(0, 3).join(',')},...]
                   [--sizes 64,16384] [--conns 50[,1]] [--load raw|net|raw,net] [--json]
rows: node, or <mode>-<loops>[-trace]; default: ${DEFAULT_ROWS.join(',')}
load: raw = bench/load-raw.ts (the default: raw sockets and epoll, 10-15 us of CPU per 64 B request),
      net = bench/load.ts (a Node net client, 15-26 us per request: it limits every row)`;

const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
const { values: opts } = parseArgs({
  args: argv,
  options: {
    seconds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1000' },
    repeats: { type: 'string', default: '2' },
    rows: { type: 'string', default: DEFAULT_ROWS.join(',') },
    sizes: { type: 'string', default: '64,16384' },
    conns: { type: 'string', default: '50' },
    load: { type: 'string', default: 'raw' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}

function num(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!(Number.isFinite(n) && n >= min && n <= max)) {
    console.error(`--${name} must be a number from ${min} to ${max}\n${HELP}`);
    process.exit(2);
  }
  return n;
}
const list = (name: string, v: string, min: number, max: number) =>
  v.split(',').map((x) => Math.floor(num(name, x, min, max)));

const seconds = num('seconds', opts.seconds, 0.5, 60);
const warmupMs = num('warmup', opts.warmup, 0, 10_000);
const repeats = Math.floor(num('repeats', opts.repeats, 1, 30));
let rows: Row[];
try {
  rows = opts.rows.split(',').map((r) => parseRow(r.trim()));
} catch (err) {
  console.error(`${(err as Error).message}\n${HELP}`);
  process.exit(2);
}
if (!rows.some((r) => r.kind === 'node')) rows.unshift(parseRow('node')); // the baseline is always measured
const loads = [...new Set(opts.load.split(',').map((x) => x.trim()))];
if (!loads.every((x): x is LoadKind => (LOAD_KINDS as readonly string[]).includes(x))) {
  console.error(`--load must be raw, net or raw,net\n${HELP}`);
  process.exit(2);
}
const workloads: Workload[] = [];
for (const conns of list('conns', opts.conns, 1, 1000))
  for (const size of list('sizes', opts.sizes, 1, 1 << 20))
    for (const load of loads) workloads.push({ conns, size, load });
const LOAD_TEXT: Record<LoadKind, string> = {
  raw: 'raw = bench/load-raw.ts (one thread, raw sockets and its own epoll through koffi)',
  net: 'net = bench/load.ts (a Node net client)',
};

const log = (s: string): void => void process.stderr.write(`${s}\n`);
const loadText = (): string => readLoad().join(' ');
const header = [
  `date      ${new Date().toISOString()}`,
  `kernel    Linux ${release()}`,
  `cpus      ${availableParallelism()} x ${cpus()[0]?.model ?? 'unknown'}`,
  `node      ${process.version}`,
  `load avg  ${loadText()} (at start)`,
  ...loads.map((x, i) => `${i === 0 ? 'load gen ' : '         '} ${LOAD_TEXT[x]}`),
  `runs      ${rows.length} rows x ${workloads.length} workloads x ${repeats} repeats, ${seconds} s each after ${warmupMs} ms warm-up, interleaved`,
];
log(header.join('\n'));

// Short herds: listener wake-ups per accept of multi-loop rows that do not record a trace.
const herds = new Map<string, number>();
for (const row of rows) {
  if (row.kind !== 'engine' || row.trace || row.loops < 2) continue;
  try {
    herds.set(row.id, await herd(row, 50, loads[0]!));
    log(`herd ${row.id}: ${herds.get(row.id)!.toFixed(2)} listener wake-ups per accept`);
  } catch (err) {
    log(`herd ${row.id} failed: ${(err as Error).message}`);
  }
}

const samples = new Map<string, (Sample | null)[]>();
const total = rows.length * workloads.length * repeats;
let done = 0;
for (let rep = 0; rep < repeats; rep++) {
  // Odd repeats run the rows backwards, so no row always follows the same neighbour.
  const order = rep % 2 === 0 ? rows : [...rows].reverse();
  for (const w of workloads) {
    for (const row of order) {
      const key = `${row.id}|${workloadName(w)}`;
      let s: Sample | null = null;
      try {
        s = await runRow(row, w, seconds, warmupMs);
      } catch (err) {
        log(`${key} failed: ${(err as Error).message}`);
      }
      samples.set(key, [...(samples.get(key) ?? []), s]);
      done++;
      const shown = s ? `${Math.round(s.rps)} req/s, load ${s.load1}` : 'failed';
      log(`[${done}/${total}] ${row.id} ${workloadName(w)}: ${shown}`);
    }
  }
}

const lines = buildLines(rows, workloads, samples, herds);
const targets = checkTargets(lines);
const endLoad = loadText();
if (opts.json) {
  console.log(
    JSON.stringify({ header, loadAtEnd: endLoad, seconds, warmupMs, repeats, lines, targets }, null, 2),
  );
} else {
  console.log(header.join('\n'));
  console.log(`load avg  ${endLoad} (at end)\n`);
  console.log(formatTable(lines));
  console.log(
    '\nmedians of the repeats; x node: req/s over Node net req/s of the same workload in this run;' +
      '\nsys/req: loop syscalls per request, t = from the recording (computeStats), c = from the kernel counters;' +
      '\nwake/acc: listener wake-ups per accept (recording, or a short herd of 50 connects for multi-loop rows);' +
      '\ncpu: server process CPU (user+sys, all threads) per wall second of the window; cpu us/req: per request;' +
      "\ncpu x node: Node net server CPU per request over this row's (> 1 = cheaper per request than Node; steadier than req/s);" +
      '\ngen cpu, gen us/req: the same for the load generator process; load1: 1-min load avg at each run;' +
      "\nthe echo handler copies each input (evio's default) except in direct-write rows, which set" +
      '\nReuseInputBuffer and answer from the read buffer in place, as gnet-style echo servers do\n',
  );
  console.log(targets.join('\n'));
}
