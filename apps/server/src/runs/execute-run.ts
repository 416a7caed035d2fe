/**
 * One run from engine start to the recording's last line: serve, drive the scenario until it is
 * done, stopped or out of time, stop the engine, drain and close the recording.
 */
import { pathToFileURL } from 'node:url';
import type { TraceEvent, TraceEventDraft } from '@loopscope/trace';
import type { EngineLoader, EngineServer } from '../engine/engine-types';
import type { LiveHub } from '../live/hub';
import { handlerModulePath } from '../paths';
import type { ClientTrace } from '../scenarios/scenario';
import type { RecordSink } from './record-sink';
import type { RunSnapshot } from './run-manager';
import type { RunRequest } from './run-request';
import { Sequencer } from './sequencer';

/** Everything one run needs. */
export interface ExecuteRunOptions {
  req: RunRequest;
  snap: RunSnapshot;
  sink: RecordSink;
  signal: AbortSignal;
  hub: LiveHub;
  loadEngine: EngineLoader;
  /** Called after `snap.run.state` changed. */
  onState: () => void;
}

/** Runs to the end; throws if the engine or the scenario failed (the recording is closed anyway). */
export async function executeRun(o: ExecuteRunOptions): Promise<void> {
  const { req, snap, sink } = o;
  const run = snap.run;
  const seq = new Sequencer((events: TraceEvent[]) => {
    sink.write(events);
    o.hub.publish(run.id, events);
    run.events = seq.count;
  });
  // Client events share the trace's clock: CLOCK_MONOTONIC nanoseconds since the engine's base
  // (ours, handed to the engine, unless the engine reports another one). Set just before serve.
  let base = process.hrtime.bigint();
  const now = () => Number(process.hrtime.bigint() - base);
  const trace: ClientTrace = {
    now,
    emit: (ev) => seq.push([{ ...ev, t: now(), loop: -1 } as TraceEventDraft]),
  };
  // Scenarios that react to the engine (a wake for a known fd) subscribe here; the start-up
  // events (one loop-start and the listeners per loop) are kept for a scenario that subscribes late.
  const watchers = new Set<(events: readonly TraceEvent[]) => void>();
  const startup: TraceEvent[] = [];
  let server: EngineServer | null = null;
  // The first failure wins; the recording is closed whatever happened.
  let failure: unknown = null;
  try {
    const serve = await o.loadEngine();
    const handler = req.scenario.handler(req.params);
    const module = pathToFileURL(handlerModulePath(handler.name)).href;
    // The engine takes its trace base after importing the handler: with the module already
    // loaded that import is instant, so our base and the engine's are microseconds apart.
    await import(module);
    base = process.hrtime.bigint();
    server = await serve({
      addrs: [`tcp://127.0.0.1:${req.scenario.port(req.params)}`],
      handler: { module, params: handler.params },
      numLoops: req.loops,
      loadBalance: req.balance,
      mode: req.mode,
      trace: true,
      traceBaseNs: Number(base),
      onEvents: (events) => {
        snap.engineEvents += events.length;
        seq.push(events);
        for (const ev of events) if (ev.kind === 'loop-start' || ev.kind === 'listener') startup.push(ev);
        for (const w of watchers) w(events);
      },
    });
    if (typeof server.traceBaseNs === 'number') base = BigInt(Math.round(server.traceBaseNs));
    const address = parseAddress(server.addrs[0] ?? '');
    run.listen = `${address.host}:${address.port}`;
    run.state = 'running';
    o.onState();
    await driveScenario(o, server, address, trace, watchers, startup);
  } catch (err) {
    failure = err;
  }
  if (run.state === 'running') {
    run.state = 'stopping';
    o.onState();
  }
  if (server) {
    // Always stop the engine, even after a failure.
    const stopError = await stopWithin(server, STOP_TIMEOUT_MS).then(
      () => null,
      (err: unknown) => err,
    );
    failure ??= stopError;
    snap.engineCount = server.eventCount;
  }
  seq.drain();
  seq.append({ kind: 'end', t: seq.lastTime, loop: -1, events: seq.count });
  snap.clamped = seq.clamped;
  run.events = seq.count;
  await sink.close().catch((err: unknown) => {
    failure ??= err;
  });
  if (failure !== null) throw failure;
}

async function driveScenario(
  o: ExecuteRunOptions,
  server: EngineServer,
  address: { host: string; port: number },
  trace: ClientTrace,
  watchers: Set<(events: readonly TraceEvent[]) => void>,
  startup: readonly TraceEvent[],
): Promise<void> {
  const { req } = o;
  const watch = (fn: (events: readonly TraceEvent[]) => void) => {
    if (startup.length > 0) fn(startup.slice());
    watchers.add(fn);
    return () => void watchers.delete(fn);
  };
  const ctl = new AbortController();
  const stop = () => ctl.abort();
  o.signal.addEventListener('abort', stop, { once: true });
  if (o.signal.aborted) stop();
  const timer = setTimeout(stop, req.scenario.maxDurationMs(req.params));
  // The engine stopping by itself (a handler's Shutdown, a loop error) ends the scenario too.
  const engineDone = server.done.then(
    () => stop(),
    (err: unknown) => {
      stop();
      throw err;
    },
  );
  try {
    await Promise.race([
      req.scenario.run({
        server,
        address,
        params: req.params,
        trace,
        signal: ctl.signal,
        loops: req.loops,
        mode: req.mode,
        watch,
      }),
      engineDone,
    ]);
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', stop);
    ctl.abort();
    watchers.clear();
    // A failure after the scenario finished is reported by stop(), not as an unhandled rejection.
    engineDone.catch(() => undefined);
  }
}

/** How long the engine may take to stop before the run is declared failed. */
const STOP_TIMEOUT_MS = 10_000;

/** Stops the engine, or fails (without leaving the run stuck in `stopping`) if it does not. */
async function stopWithin(server: EngineServer, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the engine did not stop within ${ms / 1000} s`)), ms);
  });
  try {
    await Promise.race([server.stop(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `tcp://127.0.0.1:4000` or `127.0.0.1:4000` -> host and port. */
export function parseAddress(addr: string): { host: string; port: number } {
  const m = /^(?:[a-z0-9]+:\/\/)?\[?([^\]]*?)\]?:(\d+)$/i.exec(addr);
  if (!m) throw new Error(`the engine reported an address that cannot be parsed: "${addr}"`);
  return { host: m[1]!, port: Number(m[2]) };
}
