/** Small conversions between handler values and what the loop and the trace need. */
import type { ActionName } from '@loopscope/trace';
import { Action } from './api';

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** Handler output as bytes: strings are UTF-8. */
export function toBytes(out: Uint8Array | string | null | undefined): Uint8Array {
  if (out == null) return EMPTY;
  return typeof out === 'string' ? encoder.encode(out) : out;
}

/** Any value a handler returned, as an Action (unknown values mean None, as in evio). */
export function toAction(a: unknown): Action {
  return a === Action.Detach || a === Action.Close || a === Action.Shutdown ? a : Action.None;
}

const NAMES: Record<Action, ActionName> = {
  [Action.None]: 'none',
  [Action.Detach]: 'detach',
  [Action.Close]: 'close',
  [Action.Shutdown]: 'shutdown',
};

export function actionName(a: Action): ActionName {
  return NAMES[a];
}

/** An error message from anything thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
