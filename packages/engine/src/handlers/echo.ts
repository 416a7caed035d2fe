/**
 * The echo server of evio's examples: every input goes straight back.
 * Browser-safe: used by the Linux engine, the simulator and the web app alike.
 *
 * Params: `{ greeting?: string }`, written by Opened to every new connection (evio's example
 * writes nothing; its test server writes "sweetness\r\n").
 */
import type { Events } from '../core/api';

export interface EchoParams {
  greeting?: string;
}

export default function echo(params?: EchoParams): Events {
  const greeting = params?.greeting;
  return {
    opened: greeting ? () => ({ out: greeting }) : undefined,
    data: (_c, input) => ({ out: input }),
  };
}
