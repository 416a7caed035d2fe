/**
 * The slice of the real engine's Node entry (`@loopscope/engine/linux`) the server uses, written
 * down here so that runs, scenarios and tests can be given another implementation (a test double
 * with a known event rate) through `EngineLoader`.
 */
import type { LoadBalance, ModeName } from '@loopscope/engine';
import type { TraceEvent } from '@loopscope/trace';

/** Which handler module each loop thread imports, and its parameters. */
export interface HandlerSpec {
  /** Path or URL of the module. */
  module: string;
  /** The export to call (default export when absent): `(params) => Events`. */
  export?: string;
  params?: unknown;
}

/** What `serve` is asked to run. */
export interface ServeSpec {
  /** evio addresses, e.g. `tcp://127.0.0.1:0`. */
  addrs: string[];
  handler: HandlerSpec;
  numLoops?: number;
  loadBalance?: LoadBalance;
  mode?: ModeName;
  trace?: boolean;
  /**
   * CLOCK_MONOTONIC nanoseconds (`process.hrtime.bigint()`) to count event times from, so that
   * the scenario clients' events share the engine's clock. Optional in the engine's contract.
   */
  traceBaseNs?: number;
  /** Trace events, in batches, on the main thread. */
  onEvents?(events: TraceEvent[]): void;
}

/** A running engine. */
export interface EngineServer {
  /** Bound addresses, index-aligned with `ServeSpec.addrs` (ports resolved). */
  readonly addrs: string[];
  /** Stops every loop; resolves when all threads have left their loops. */
  stop(): Promise<void>;
  /** Settles when the server stopped, for whatever reason. */
  readonly done: Promise<void>;
  /** Events the engine produced so far. */
  readonly eventCount: number;
  /** The CLOCK_MONOTONIC nanoseconds event times count from, if the engine says. */
  readonly traceBaseNs?: number;
  /** `Conn.wake()` from outside a loop. */
  wake(fd: number, gen: number): void;
}

/** Starts an engine server. */
export type EngineServe = (spec: ServeSpec) => Promise<EngineServer>;

/** Finds the engine's `serve` (loaded lazily: the engine loads koffi and native code). */
export type EngineLoader = () => Promise<EngineServe>;
