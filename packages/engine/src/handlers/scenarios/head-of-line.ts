/**
 * The handler of `head-of-line` (seed: serialization): an echo whose `Data` burns `busyMs` of its
 * loop's time when the input starts with `SLOW`, as a slow handler would. Every other connection
 * of that loop waits behind it; connections of another loop do not. Browser-safe.
 *
 * Params: `{ busyMs?: number }` (default 20).
 */
import type { Events } from '../../core/api';
import { intParam } from './pattern';

export interface HeadOfLineParams {
  busyMs?: number;
}

const S = 0x53;
const L = 0x4c;

export default function headOfLine(params?: HeadOfLineParams): Events {
  const busyMs = intParam(params, 'busyMs', 20, 10_000);
  return {
    data(c, input) {
      if (input && input.length >= 2 && input[0] === S && input[1] === L) c.busy(busyMs);
      return { out: input };
    },
  };
}
