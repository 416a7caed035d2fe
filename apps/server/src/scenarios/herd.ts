/**
 * `herd`: M connections, one after another, to N loops that all watch one listener. Every
 * connection wakes every loop (the thundering herd): one loop wins the accept, the others get
 * EAGAIN or decline under the balancer. Each client sends a short message and checks the echo.
 * A `herd-wakeups` event at the end counts the loops woken per accept, the ones that never
 * returned from epoll_wait included (`herd-wakeups.ts`), and a `mark` says it in words. `gapMs`
 * (50 by default) lets every loop park in epoll_wait before the next connection; with 0 the
 * loops are often still busy with the previous one.
 */
import { HerdWakeups } from './herd-wakeups';
import { LoopbackClient } from './loopback-client';
import type { Scenario, ScenarioContext } from './scenario';

function message(client: number, bytes: number): Buffer {
  const unit = Buffer.from(`herd client ${client};`);
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = unit[i % unit.length]!;
  return out;
}

export const herd: Scenario = {
  name: 'herd',
  title: 'Thundering herd',
  description:
    'Connections arrive one at a time at a listener every loop watches: each one wakes every loop, one wins the accept.',
  params: [
    {
      name: 'connections',
      min: 1,
      max: 2000,
      default: 32,
      unit: 'connections',
      description: 'Clients, one after another.',
    },
    {
      name: 'bytes',
      min: 1,
      max: 4096,
      default: 16,
      unit: 'bytes',
      description: 'Message size each client sends.',
    },
    {
      name: 'gapMs',
      min: 0,
      max: 1000,
      default: 50,
      unit: 'ms',
      description: 'Pause between two clients (time for every loop to park in epoll_wait).',
    },
    {
      name: 'duration',
      min: 1,
      max: 30,
      default: 20,
      unit: 's',
      description: 'The run stops after this long.',
    },
  ],
  handler: () => ({ name: 'echo' }),
  port: () => 0,
  maxDurationMs: (p) => Number(p.duration) * 1000,
  async run(ctx: ScenarioContext): Promise<void> {
    const connections = Number(ctx.params.connections);
    const bytes = Number(ctx.params.bytes);
    const gapMs = Number(ctx.params.gapMs);
    ctx.trace.emit({
      kind: 'mark',
      text: `herd: ${connections} connections of ${bytes} bytes, one at a time`,
    });
    const wakeups = new HerdWakeups(ctx);
    const total = { accepts: 0, woken: 0, visible: 0 };
    // One herd-wakeups event per measured connection, as soon as its events are in: the numbers
    // grow while the run goes on.
    const report = (all: boolean): void => {
      const r = wakeups.measured(all);
      if (r === null || r.accepts === 0) return;
      ctx.trace.emit({ kind: 'herd-wakeups', ...r });
      total.accepts += r.accepts;
      total.woken += r.woken;
      total.visible += r.visible;
    };
    for (let i = 0; i < connections && !ctx.signal.aborted; i++) {
      wakeups.begin();
      await oneClient(ctx, i, message(i, bytes));
      if (gapMs > 0) await sleep(gapMs, ctx.signal);
      wakeups.end();
      report(false);
    }
    // The loops' last events reach us through the trace rings a few milliseconds later.
    await sleep(100, ctx.signal);
    report(true);
    wakeups.close();
    if (wakeups.unreadable) {
      ctx.trace.emit({
        kind: 'mark',
        text: 'herd: /proc/self/task/*/status unreadable: hidden wake-ups not counted',
      });
      return;
    }
    const per = (n: number) => (total.accepts > 0 ? n / total.accepts : 0).toFixed(2);
    ctx.trace.emit({
      kind: 'mark',
      text: `herd: ${total.accepts} accepts; loops woken per accept ${per(total.woken)}, of which returned from epoll_wait with the listener ${per(total.visible)}; the others were woken by the kernel, found the connection taken and slept again (their voluntary context switches)`,
    });
  },
};

async function oneClient(ctx: ScenarioContext, id: number, msg: Buffer): Promise<void> {
  const { host, port } = ctx.address;
  let client: LoopbackClient | null = null;
  try {
    client = await LoopbackClient.connect(id, host, port, ctx.trace, ctx.signal);
    const sentAt = ctx.trace.now();
    client.send(msg);
    const got = await client.receive(msg.length, ctx.signal, sentAt);
    client.verify(got, msg);
    await client.close(ctx.signal);
  } catch (err) {
    client?.destroy();
    // Stopping the run cuts the client short: that is not a failure of the run.
    if (!ctx.signal.aborted) throw err;
  }
}

/** Waits `ms`, or less if `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
