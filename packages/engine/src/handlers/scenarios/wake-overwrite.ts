/**
 * The handler of `wake-overwrite` (spec §2.10): `Data` answers any input with `reply` bytes;
 * a later `Conn.wake()` (from the app: the server's main thread, or a simulated goroutine) makes
 * `Data(c, nil)` return `WAKE\n` and a Close. In `evio` mode that output *replaces* what is still
 * pending (the unsent tail is lost); in `fixed-wake` it is appended. Browser-safe.
 *
 * Params: `{ reply?: number }` (bytes, default 65536).
 */
import { Action, type Events } from '../../core/api';
import { intParam, pattern } from './pattern';

export interface WakeOverwriteParams {
  reply?: number;
}

/** What Data(c, nil) returns. */
export const WAKE_TAIL = new TextEncoder().encode('WAKE\n');

/** The reply to the request, as the client expects it. */
export function wakeReply(p: WakeOverwriteParams | undefined): Uint8Array {
  return pattern(intParam(p, 'reply', 65536, 64 * 1024 * 1024), 3);
}

export default function wakeOverwrite(params?: WakeOverwriteParams): Events {
  const big = wakeReply(params);
  return {
    data(c, input) {
      if (input === null) return { out: WAKE_TAIL, action: Action.Close };
      // Only the first request gets the big reply: a repeated one must not hide the loss.
      if (c.context === 'sent') return {};
      c.context = 'sent';
      return { out: big };
    },
  };
}
