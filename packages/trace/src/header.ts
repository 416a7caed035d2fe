import { TRACE_FORMAT, TRACE_VERSION } from './events';

/** Where a recording came from. */
export interface TraceSourceInfo {
  /** `engine`: the real kernel; `sim`: the simulator; `strace`: an imported log; `hand`: written by hand. */
  type: 'engine' | 'sim' | 'strace' | 'hand';
  /** The traced program for imported logs (e.g. `evio-echo-server`), else null. */
  program: string | null;
  /** Process ids seen in an imported log. */
  pids: number[];
  /** The simulator's seed, else null. */
  seed: number | null;
}

/** The scenario a recording ran, with its parameters. */
export interface ScenarioInfo {
  name: string;
  params: Record<string, string | number | boolean>;
}

/** Facts about the machine that produced a recording. */
export interface HostInfo {
  platform: string;
  arch: string;
  kernel: string;
  cpus: number;
  runtime: string;
}

/** The first line of every recording. */
export interface TraceHeader {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  /** ISO 8601 creation time. */
  created: string;
  /** Engine mode (`evio`, `read-first`, ...) or `strace` for imported logs. */
  mode: string;
  loops: number;
  /** Load balancer (`random`, `round-robin`, `least-connections`) or null if not applicable. */
  balance: string | null;
  scenario: ScenarioInfo | null;
  host: HostInfo | null;
  source: TraceSourceInfo;
}

/** Builds a header with the current format and version. */
export function makeHeader(
  fields: Omit<TraceHeader, 'format' | 'version' | 'created'> & { created?: string },
): TraceHeader {
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    created: fields.created ?? new Date().toISOString(),
    mode: fields.mode,
    loops: fields.loops,
    balance: fields.balance,
    scenario: fields.scenario,
    host: fields.host,
    source: fields.source,
  };
}
