/**
 * The live protocol between the server and the web app over a websocket: a versioned envelope,
 * separate from `TraceEvent`. Every message is one JSON text frame.
 */
import type { TraceEvent } from './events';
import type { TraceHeader } from './header';

/** Bumped on any incompatible change of the envelope. */
export const LIVE_PROTOCOL_VERSION = 1;

/** The state of the server's current run. */
export type RunState = 'idle' | 'starting' | 'running' | 'stopping' | 'finished' | 'failed';

export interface RunInfo {
  id: string;
  state: RunState;
  /** The scenario name, or `playground`. */
  scenario: string;
  mode: string;
  loops: number;
  balance: string;
  params: Record<string, string | number | boolean>;
  /** Events the engine produced so far (all of them are in the recording). */
  events: number;
  /** The recording's file name in the server's data folder. */
  recording: string | null;
  /** For the playground: the address clients can connect to. */
  listen: string | null;
  /** Set when state is `failed`. */
  error: string | null;
}

/** Server -> browser. */
export type ServerMessage =
  | {
      type: 'hello';
      protocol: typeof LIVE_PROTOCOL_VERSION;
      server: string;
      run: RunInfo | null;
      header: TraceHeader | null;
    }
  | { type: 'run'; run: RunInfo; header: TraceHeader | null }
  | {
      type: 'batch';
      runId: string;
      /** seq of the first event in `events`. */
      from: number;
      events: TraceEvent[];
      /** Events this client has missed so far in this run (dropped for it alone). */
      dropped: number;
    }
  | { type: 'error'; code: string; message: string; replyTo: string | null };

/** Browser -> server. */
export type ClientMessage =
  | {
      type: 'start';
      id?: string;
      scenario: string;
      mode?: string;
      loops?: number;
      balance?: string;
      params?: Record<string, string | number | boolean>;
    }
  | { type: 'stop'; id?: string }
  /** Resume a run's stream from `from` (seq) after a reconnect. */
  | { type: 'resume'; id?: string; runId: string; from: number }
  | { type: 'ping'; id?: string };
