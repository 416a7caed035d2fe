/**
 * Where events come from. Views never know: every source feeds the same sink, and the store
 * turns what arrives into the model once per animation frame.
 */
import type { RunInfo, StraceImportSummary, TraceEvent, TraceHeader, TraceStats } from '@loopscope/trace';
import type { TextChunk } from '../model/trace-buffer';
import type { Model } from '../model/types';

export type SourceKind = 'live' | 'replay' | 'sim';

/** What a source reports besides events. */
export interface SourceStatus {
  /** `connecting`/`open`/`closed` for live; `loading`/`ready`/`error` for replay; `running`/`done` for sim. */
  state: 'idle' | 'connecting' | 'open' | 'closed' | 'loading' | 'ready' | 'running' | 'done' | 'error';
  /** A sentence for the user, or null. */
  message: string | null;
  /** Live: events this client missed (the server drops for slow clients). */
  dropped?: number;
  /** Live: the server's current run. */
  run?: RunInfo | null;
}

/** What a source calls. */
export interface SourceSink {
  /** A new trace begins: drop what was shown and start from this header. */
  reset(header: TraceHeader | null, label: string): void;
  /** More events, in seq order. */
  events(batch: TraceEvent[]): void;
  /**
   * Replay: more of the recording, as validated text with its columns (instead of `events`);
   * `expected`: how many events the whole recording probably holds (from its size).
   */
  chunk(chunk: TextChunk, expected: number): void;
  /** Replay: the model after `at` events, reduced by the recording worker. */
  snapshot(at: number, model: Model): void;
  /** Replay: the numbers of the events delivered so far (the last call: of the whole trace). */
  stats(stats: TraceStats): void;
  status(status: SourceStatus): void;
  /** A recording that stopped at a bad line: what was valid was delivered, this says why it stopped. */
  decodeError(error: { line: number; message: string; valid: number } | null): void;
  /** The trace's header became known after its events (an strace import): keeps the events. */
  header(header: TraceHeader): void;
  /** An strace log was imported: what the importer found (loops, events, skipped lines, noise). */
  imported(summary: StraceImportSummary): void;
}

/** Parameters of a run (live and sim). */
export interface RunParams {
  scenario: string;
  mode: string;
  loops: number;
  balance: string;
  seed: number;
  params: Record<string, string | number | boolean>;
}

export interface TraceSource {
  readonly kind: SourceKind;
  /** Starts delivering into `sink` (connects, decodes, simulates). */
  attach(sink: SourceSink): void;
  /** Stops delivering and releases sockets and timers. */
  detach(): void;
  /** Live and sim: start a run. */
  startRun?(p: RunParams): void;
  /** Live and sim: stop the run. */
  stopRun?(): void;
}
