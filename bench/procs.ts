/**
 * The processes of one benchmark run: the server under test (Node `net`, the `loopscope echo`
 * CLI, or `engine-server.ts`) and the load generator, each in its own process, plus the server's
 * CPU time read from `/proc/<pid>/stat` (the load generator reports its own).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/ sits directly under it). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ is 100 on every Linux build in use). */
const CLK_TCK = 100;

/** A running server process. */
export interface ServerProc {
  child: ChildProcess;
  port: number;
  /** Everything it printed to stdout so far. */
  out(): string;
}

/** Spawns `node <args>` in the repo root and waits until `portOf(stdout)` finds the port. */
export function startServer(args: string[], portOf: (out: string) => number | null): Promise<ServerProc> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    err += s;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${START_TIMEOUT_MS} ms: ${err.slice(-500)}`));
    }, START_TIMEOUT_MS);
    const poll = setInterval(() => {
      const port = portOf(out);
      if (port === null) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ child, port, out: () => out });
    }, 20);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}) before listening: ${err.slice(-500)}`));
    });
  });
}

/** SIGTERM, then wait for exit (SIGKILL after a bound). Resolves with its whole stdout. */
export function stopServer(s: ServerProc): Promise<string> {
  if (exited(s)) return Promise.resolve(s.out());
  return new Promise((resolve) => {
    const timer = setTimeout(() => s.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    s.child.once('exit', () => {
      clearTimeout(timer);
      resolve(s.out());
    });
    s.child.kill('SIGTERM');
  });
}

/** Whether the process has exited (by itself or by a signal). */
export function exited(s: ServerProc): boolean {
  return s.child.exitCode !== null || s.child.signalCode !== null;
}

/** CPU seconds (user + system, every thread) the process used so far; NaN if unreadable. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/**
 * The load generators: `raw` (`load-raw.ts`, one thread on raw sockets and its own epoll, 10-15 us
 * of CPU per 64 B request) and `net` (`load.ts`, a Node `net` client, 15-26 us per request).
 */
export const LOAD_KINDS = ['raw', 'net'] as const;
export type LoadKind = (typeof LOAD_KINDS)[number];
const LOAD_FILES: Record<LoadKind, string> = { raw: 'load-raw.ts', net: 'load.ts' };

/** What the load generator reports. */
export interface LoadResult {
  requests: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  /** Server CPU seconds during the counted window (NaN if unknown). */
  serverCpu: number;
  /** The load generator's own CPU seconds during the counted window (NaN if unknown). */
  loadCpu: number;
  /** Length of the counted window in seconds. */
  window: number;
}

/** Runs a load generator against `port`, sampling `serverPid`'s CPU time over the counted window. */
export function runLoad(
  kind: LoadKind,
  port: number,
  conns: number,
  size: number,
  seconds: number,
  warmupMs: number,
  serverPid: number | undefined,
): Promise<LoadResult> {
  const args = ['--import', 'tsx', join(ROOT, 'bench', LOAD_FILES[kind]), String(port), String(conns)];
  args.push(String(size), String(seconds), String(warmupMs));
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  let err = '';
  let cpu0 = Number.NaN;
  let t0 = 0;
  let result: LoadResult | null = null;
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    buf += s;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      // The load generator reports its own CPU time over the window (`cpuS`, process.cpuUsage():
      // every thread, user + system, the same figure as /proc/<pid>/stat): it exits right after.
      const msg = JSON.parse(line) as { phase?: string; cpuS?: number } & Omit<
        LoadResult,
        'serverCpu' | 'loadCpu' | 'window'
      >;
      if (msg.phase === 'start') {
        cpu0 = cpuSeconds(serverPid);
        t0 = performance.now();
      } else {
        const window = (performance.now() - t0) / 1000;
        const { cpuS, ...rest } = msg;
        result = { ...rest, serverCpu: cpuSeconds(serverPid) - cpu0, loadCpu: cpuS ?? Number.NaN, window };
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    err += s;
  });
  const bound = (seconds + warmupMs / 1000) * 1000 + 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), bound);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (result && code === 0) resolve(result);
      else reject(new Error(`load generator failed (code ${code}): ${err.slice(-500)}`));
    });
  });
}
