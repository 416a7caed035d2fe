/**
 * The echo server of evio's examples: every input goes straight back.
 * Browser-safe: used by the Linux engine, the simulator and the web app alike.
 *
 * Params:
 * - `greeting`: written by Opened to every new connection (evio's example writes nothing; its
 *   test server writes "sweetness\r\n").
 * - `reuseInputBuffer`: Opened sets evio's `ReuseInputBuffer` option, so Data receives a view of
 *   the loop's read buffer instead of a copy. Safe here because the reply is copied into the
 *   connection's output before the next read; it is how gnet-style echo servers answer in place.
 */
import type { Events } from '../core/api';

export interface EchoParams {
  greeting?: string;
  reuseInputBuffer?: boolean;
}

export default function echo(params?: EchoParams): Events {
  const greeting = params?.greeting;
  const opts = params?.reuseInputBuffer === true ? { reuseInputBuffer: true } : undefined;
  return {
    opened: greeting || opts ? () => ({ out: greeting, opts }) : undefined,
    data: (_c, input) => ({ out: input }),
  };
}
