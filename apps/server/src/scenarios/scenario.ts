/**
 * What a scenario is: a named experiment on the real engine, with bounded parameters, a handler
 * for the engine's loops and (optionally) scenario clients that connect over loopback.
 */
import type { ModeName } from '@loopscope/engine';
import type { TraceEvent, TraceEventDraft } from '@loopscope/trace';
import type { EngineServer } from '../engine/engine-types';

/** A parameter value, as in the recording header. */
export type ParamValue = string | number | boolean;
export type ParamValues = Record<string, ParamValue>;

/** One parameter of a scenario, as `GET /api/scenarios` lists it. */
export interface ParamSpec {
  name: string;
  /** Lower bound of a numeric parameter (integers only), null for a choice. */
  min: number | null;
  /** Upper bound of a numeric parameter, null for a choice. */
  max: number | null;
  default: ParamValue;
  /** `connections`, `bytes`, `s`, ...; null for a choice. */
  unit: string | null;
  /** The allowed values of a choice parameter. */
  values?: readonly string[];
  /** One line for people. */
  description: string;
}

/** The engine's example handlers. */
export type HandlerName = 'echo' | 'http' | 'redis';

/** The scenario handlers (`packages/engine/src/handlers/scenarios/`, shared with the simulator). */
export type ScenarioHandlerName =
  | 'scenarios/open-wake'
  | 'scenarios/write-loss'
  | 'scenarios/wake-overwrite'
  | 'scenarios/head-of-line';

/** Emits scenario-client events onto the run's trace (loop -1, timed on the trace's clock). */
export interface ClientTrace {
  /** Nanoseconds since the trace started. */
  now(): number;
  emit(ev: DistributiveOmitTime<TraceEventDraft>): void;
}

type DistributiveOmitTime<T> = T extends unknown ? Omit<T, 't' | 'loop'> : never;

/** What a running scenario is given. */
export interface ScenarioContext {
  /** The engine, serving. */
  server: EngineServer;
  /** The engine's bound loopback address, `host:port`. */
  address: { host: string; port: number };
  /** Validated parameters (every parameter present). */
  params: ParamValues;
  /** Client-side trace events (client-connect, send, recv, verify, close, marks). */
  trace: ClientTrace;
  /** Aborted when the run is stopped or reaches its duration bound. */
  signal: AbortSignal;
  /** The run's loop count and mode. */
  loops: number;
  mode: ModeName;
  /**
   * Subscribes to the engine's events as they are delivered (merged from the loops, before the
   * recording numbers them), e.g. to learn a connection's fd and generation from its `accept`.
   * The start-up events delivered before the call (`loop-start`, `listener`) are handed to `fn`
   * at once. Returns the unsubscribe function.
   */
  watch(fn: (events: readonly TraceEvent[]) => void): () => void;
}

export interface Scenario {
  name: string;
  title: string;
  description: string;
  params: readonly ParamSpec[];
  /** The handler the engine's loops run, and its parameters. */
  handler(params: ParamValues): { name: HandlerName | ScenarioHandlerName; params?: unknown };
  /** The loopback port the engine listens on (0: any free port). */
  port(params: ParamValues): number;
  /** The longest the run may last, in milliseconds. */
  maxDurationMs(params: ParamValues): number;
  /** Drives the scenario; resolves when it is done (or when `signal` aborts). */
  run(ctx: ScenarioContext): Promise<void>;
}
