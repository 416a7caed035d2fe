/** The public types of the strace importer: options, summary, result, error. */
import type { TraceEvent } from '../events';
import type { TraceHeader } from '../header';

/** Options of `StraceImporter`. */
export interface StraceImportOptions {
  /** The traced program's name for the header; default: from a `# cmd:` comment, else null. */
  program?: string | null;
  /** Keep epoll fds that are only polled with timeout 0 (Go's netpoller) as loops. Default false. */
  keepRuntimePoller?: boolean;
  /** Keep `other` events (unknown syscalls, signals, runtime poller calls). Default true. */
  keepNoise?: boolean;
  /** Header creation time (ISO 8601); default now. */
  created?: string;
  /** Most events held back while waiting for a later line (bounded memory). Default 50000. */
  maxHeldEvents?: number;
  /** How many skipped lines to report with their reason. Default 10. */
  reportSkipped?: number;
}

/** A line the importer could not use. */
export interface SkippedLine {
  line: number;
  reason: string;
  text: string;
}

/** What an import did, for the CLI and the UI. */
export interface StraceImportSummary {
  lines: number;
  /** Lines that were strace events (calls, halves, signals, exits). */
  parsedLines: number;
  skippedLines: number;
  /** The first skipped lines (see `reportSkipped`). */
  skipped: SkippedLine[];
  loops: number;
  events: number;
  pids: number[];
  /** Events of filtered runtime pollers (kept as `other` unless noise is dropped). */
  runtimePollerEvents: number;
  /** `other` events dropped because noise is not kept. */
  noiseDropped: number;
  otherEvents: number;
  /** Calls still `<unfinished ...>` when the log ended. */
  unfinishedAtEnd: number;
  /** Events whose time was raised to keep the recording in time order. */
  clampedTimes: number;
  /** Held events released early to bound memory. */
  forcedHolds: number;
  /** `other` events by name (unknown syscalls, signals, calls outside any loop), kept or dropped. */
  unmapped: Record<string, number>;
}

/** The result of `finish()`. */
export interface StraceImportResult {
  header: TraceHeader;
  /** The events released by `finish()` (the ones returned earlier are not repeated). */
  events: TraceEvent[];
  summary: StraceImportSummary;
}

/** The log is not something the importer can read (e.g. not strace output at all). */
export class StraceImportError extends Error {
  override readonly name = 'StraceImportError';
}
