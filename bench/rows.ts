/**
 * The benchmark's rows (what server runs) and its measurements (what one run gives), and how one
 * row is run: start its server, drive the load, stop it, read its syscall figures.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODE_NAMES, type ModeName } from '../packages/engine/src/core/modes';
import { exited, type LoadKind, runLoad, type ServerProc, startServer, stopServer } from './procs';
import { recordingStats } from './recording-stats';

/** One server configuration. */
export interface Row {
  id: string;
  kind: 'node' | 'engine';
  mode: ModeName | null;
  loops: number;
  trace: boolean;
}

/** One load shape, and the load generator that drives it. */
export interface Workload {
  conns: number;
  size: number;
  load: LoadKind;
}

/** What one run of one row under one workload measured. */
export interface Sample {
  rps: number;
  p50ms: number;
  p99ms: number;
  /** Server CPU seconds per wall second of the counted window (1 = one core busy). */
  cpuCores: number;
  cpuUsPerReq: number;
  /** The load generator's CPU seconds per wall second of the counted window, and per request. */
  loadCpuCores: number;
  loadCpuUsPerReq: number;
  /** Loop syscalls per request (the recording's stats, or the kernels' counters); null: unknown. */
  sysPerReq: number | null;
  /** Listener wake-ups per accept from the recording; null: not recorded in this run. */
  wakePerAccept: number | null;
  /** /proc/loadavg 1-minute figure when the run started. */
  load1: number;
}

/** `read-first` is left out of the defaults: it exists to lose echo bytes under pipelining. */
export const DEFAULT_ROWS = [
  'node',
  'evio-1',
  'evio-1-trace',
  'evio-2',
  'evio-2-trace',
  'fixed-wake-1',
  'direct-write-1',
  'reuseport-1',
  'exclusive-1',
  'edge-1',
  'reuseport-2',
  'exclusive-2',
];

/** Parses `node` or `<mode>-<loops>[-trace]`; throws a clear error otherwise. */
export function parseRow(id: string): Row {
  if (id === 'node') return { id, kind: 'node', mode: null, loops: 1, trace: false };
  const m = /^([a-z-]+?)-(\d+)(-trace)?$/.exec(id);
  if (!m || !MODE_NAMES.includes(m[1] as ModeName) || Number(m[2]) < 1 || Number(m[2]) > 8) {
    throw new Error(
      `unknown row "${id}": node, or <mode>-<loops 1..8>[-trace], mode one of ${MODE_NAMES.join(', ')}`,
    );
  }
  return { id, kind: 'engine', mode: m[1] as ModeName, loops: Number(m[2]), trace: m[3] !== undefined };
}

function load1(): number {
  return readLoad()[0] ?? Number.NaN;
}

/** The three load averages of /proc/loadavg. */
export function readLoad(): number[] {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return [];
  }
}

const portFromJson = (out: string): number | null => {
  const m = /"port":(\d+)/.exec(out) ?? /"listening":"(?:tcp:\/\/)?127\.0\.0\.1:(\d+)"/.exec(out);
  return m ? Number(m[1]) : null;
};
const portFromCli = (out: string): number | null => {
  const m = /listening on (?:tcp:\/\/)?127\.0\.0\.1:(\d+)/.exec(out);
  return m ? Number(m[1]) : null;
};

let recordingSeq = 0;

/**
 * Rows whose echo handler sets ReuseInputBuffer (Data answers from the read buffer in place):
 * `direct-write`, which models gnet/nbio, whose echo servers do the same. The `evio` rows keep
 * evio's default (a copy of every input), as evio's own echo example does.
 */
export function reusesInput(row: Row): boolean {
  return row.mode === 'direct-write';
}

/** Runs one row under one workload: its own server process, the load generator, then stop. */
export async function runRow(row: Row, w: Workload, seconds: number, warmupMs: number): Promise<Sample> {
  const load = load1();
  let server: ServerProc;
  let recording: string | null = null;
  if (row.kind === 'node') {
    server = await startServer(['--import', 'tsx', 'bench/node-echo.ts', '0'], portFromJson);
  } else if (row.trace) {
    recording = join(tmpdir(), `loopscope-bench-${process.pid}-${recordingSeq++}.ndjson`);
    const args = ['--import', 'tsx', 'apps/server/src/cli.ts', 'echo', '--listen', 'tcp://127.0.0.1:0'];
    args.push('--loops', String(row.loops), '--mode', row.mode!, '--record', recording);
    if (reusesInput(row)) args.push('--reuse-input');
    const file = recording;
    // A server that never listened was killed: its partial recording goes too.
    server = await startServer(args, portFromCli).catch((err: unknown) => {
      rmSync(file, { force: true });
      throw err;
    });
  } else {
    const args = ['--import', 'tsx', 'bench/engine-server.ts', String(row.loops), row.mode!];
    if (reusesInput(row)) args.push('reuse-input');
    server = await startServer(args, portFromJson);
  }
  try {
    const r = await runLoad(w.load, server.port, w.conns, w.size, seconds, warmupMs, server.child.pid);
    const out = await stopServer(server);
    let sysPerReq: number | null = null;
    let wakePerAccept: number | null = null;
    if (recording) {
      const st = await recordingStats(recording);
      sysPerReq = st.syscallsPerRequest;
      wakePerAccept = st.listenerWakeupsPerAccept;
    } else if (row.kind === 'engine') {
      const m = /"counts":\{"syscalls":(\d+),"dataReads":(\d+)\}/.exec(out);
      if (m && Number(m[2]) > 0) sysPerReq = Number(m[1]) / Number(m[2]);
    }
    return {
      rps: r.rps,
      p50ms: r.p50ms,
      p99ms: r.p99ms,
      cpuCores: r.serverCpu / r.window,
      cpuUsPerReq: r.requests > 0 ? (r.serverCpu * 1e6) / r.requests : Number.NaN,
      loadCpuCores: r.loadCpu / r.window,
      loadCpuUsPerReq: r.requests > 0 ? (r.loadCpu * 1e6) / r.requests : Number.NaN,
      sysPerReq,
      wakePerAccept,
      load1: load,
    };
  } finally {
    if (!exited(server)) await stopServer(server);
    if (recording) rmSync(recording, { force: true });
  }
}

/** A short herd on a traced server: listener wake-ups per accept for `conns` connections. */
export async function herd(row: Row, conns: number, load: LoadKind): Promise<number> {
  const traced = { ...row, id: `${row.id}-trace`, trace: true };
  const s = await runRow(traced, { conns, size: 64, load }, 0.5, 0);
  return s.wakePerAccept ?? Number.NaN;
}
