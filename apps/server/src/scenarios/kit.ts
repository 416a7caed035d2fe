/**
 * Helpers shared by the scenarios: the `duration` parameter, learning a connection's fd and
 * generation from the engine's `accept` events, shrinking a served socket's send buffer, and
 * running one bounded client.
 */
import type { TraceEvent } from '@loopscope/trace';
import { LoopbackClient } from './loopback-client';
import type { ParamSpec, ScenarioContext } from './scenario';

/** The `duration` parameter every generated-traffic scenario has (seconds, at most 30). */
export function durationParam(def: number): ParamSpec {
  return {
    name: 'duration',
    min: 1,
    max: 30,
    default: def,
    unit: 's',
    description: 'The run stops after this long.',
  };
}

/** The `sndbuf` parameter: SO_SNDBUF of the served connection (0 leaves the kernel's). */
export const SNDBUF_PARAM: ParamSpec = {
  name: 'sndbuf',
  min: 0,
  max: 4 * 1024 * 1024,
  default: 4096,
  unit: 'bytes',
  description: "SO_SNDBUF of the server's socket, set before the first request (0: the kernel's default).",
};

/** The `idleMs` parameter: how long a reading client waits for bytes that may have been lost. */
export const IDLE_PARAM: ParamSpec = {
  name: 'idleMs',
  min: 100,
  max: 5000,
  default: 1000,
  unit: 'ms',
  description: 'The client stops waiting after this long without a byte (lost bytes never come).',
};

/** A connection as the engine accepted it. */
export interface AcceptedConn {
  fd: number;
  gen: number;
  loop: number;
}

/** Remembers every accepted connection by its remote address (the client's local address). */
export class AcceptWatch {
  private readonly byRemote = new Map<string, AcceptedConn>();
  private readonly waiters = new Map<string, (c: AcceptedConn) => void>();
  private readonly stop: () => void;

  constructor(ctx: ScenarioContext) {
    this.stop = ctx.watch((events) => {
      for (const ev of events) this.take(ev);
    });
  }

  private take(ev: TraceEvent): void {
    if (ev.kind !== 'accept' || ev.outcome !== 'won' || ev.remote === null) return;
    const conn = { fd: ev.fd ?? -1, gen: ev.gen ?? -1, loop: ev.loop };
    this.byRemote.set(ev.remote, conn);
    this.waiters.get(ev.remote)?.(conn);
  }

  /** The connection the engine accepted from `remote` (waits at most 5 s). */
  conn(remote: string, signal: AbortSignal): Promise<AcceptedConn> {
    const known = this.byRemote.get(remote);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const finish = (c: AcceptedConn | null, why?: string) => {
        clearTimeout(timer);
        this.waiters.delete(remote);
        signal.removeEventListener('abort', onAbort);
        if (c) resolve(c);
        else reject(new Error(why));
      };
      const onAbort = () => finish(null, `waiting for the accept of ${remote}: stopped`);
      const timer = setTimeout(
        () =>
          finish(
            null,
            `the engine did not accept ${remote} within 5 s (look for declined accepts: with exclusive, a balancer can refuse it forever)`,
          ),
        5000,
      );
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(remote, (c) => finish(c));
    });
  }

  close(): void {
    this.stop();
  }
}

/**
 * Sets SO_SNDBUF of a served connection from the main thread (the fd table is the process's):
 * the loop's next writes go partial once that much is queued. Traced as a `mark`.
 */
export async function shrinkSendBuffer(
  ctx: ScenarioContext,
  conn: AcceptedConn,
  bytes: number,
): Promise<void> {
  if (bytes <= 0) return;
  const { getSocketBuffer, setSocketBuffer } = await import('@loopscope/engine/linux');
  const r = setSocketBuffer(conn.fd, 'send', bytes);
  if (r < 0) throw new Error(`setsockopt(SO_SNDBUF, ${bytes}) on fd ${conn.fd} failed: ${r}`);
  const now = getSocketBuffer(conn.fd, 'send');
  ctx.trace.emit({
    kind: 'mark',
    text: `scenario: SO_SNDBUF of fd ${conn.fd} set to ${bytes} (kernel uses ${now})`,
  });
}

/** Connects client `id`; on abort the caller's error is swallowed and the socket dropped. */
export async function withClient(
  ctx: ScenarioContext,
  id: number,
  body: (client: LoopbackClient) => Promise<void>,
): Promise<void> {
  let client: LoopbackClient | null = null;
  try {
    client = await LoopbackClient.connect(id, ctx.address.host, ctx.address.port, ctx.trace, ctx.signal);
    await body(client);
  } catch (err) {
    client?.destroy();
    // Stopping the run cuts the client short: that is not a failure of the run.
    if (!ctx.signal.aborted) throw err;
  }
}

/** A param as a number (validated before). */
export function num(ctx: ScenarioContext, name: string): number {
  return Number(ctx.params[name]);
}
