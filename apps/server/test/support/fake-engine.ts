/**
 * A test double of `@loopscope/engine/linux`'s `serve`: a node:net echo server that reports a
 * plausible evio event sequence per connection, plus an optional flood of events at a fixed
 * rate (to test the live stream under load without depending on the real engine's speed).
 */
import net from 'node:net';
import type { TraceEvent, TraceEventDraft } from '@loopscope/trace';
import type { EngineLoader, EngineServer, ServeSpec } from '../../src/engine/engine-types';

/** Options of the fake. */
export interface FakeEngineOptions {
  /**
   * Extra `mark` events to emit as fast as the process allows (in chunks of 2000, yielding in
   * between), after which the fake stops by itself as if a handler asked for Shutdown.
   */
  flood?: number;
  /** Events per flood chunk (default 2000). */
  floodChunk?: number;
  /** Milliseconds between flood chunks (default 0: as soon as the process is free). */
  floodEveryMs?: number;
}

/** A loader whose `serve` starts a fake engine. */
export function fakeEngine(opts: FakeEngineOptions = {}): EngineLoader {
  return async () => (spec: ServeSpec) => serveFake(spec, opts);
}

async function serveFake(spec: ServeSpec, opts: FakeEngineOptions): Promise<EngineServer> {
  const origin = process.hrtime.bigint();
  const now = () => Number(process.hrtime.bigint() - origin);
  let count = 0;
  let gen = 0;
  const emit = (evs: TraceEventDraft[]) => {
    count += evs.length;
    spec.onEvents?.(evs.map((e) => ({ ...e, seq: 0 }) as TraceEvent));
  };
  const loops = spec.numLoops ?? 1;
  for (let i = 0; i < loops; i++)
    emit([{ kind: 'loop-start', t: now(), loop: i, epfd: 3, wakeFd: 4, thread: i }]);
  const server = net.createServer((sock) => {
    const g = ++gen;
    const loop = g % loops;
    const fd = 10 + (g % 50);
    emit([
      {
        kind: 'accept',
        t: now(),
        loop,
        listenerFd: 5,
        outcome: 'won',
        fd,
        gen: g,
        remote: 'x',
        reason: null,
        errno: null,
      },
      { kind: 'opened', t: now(), loop, fd, gen: g, remote: 'x', local: 'y', addrIndex: 0 },
    ]);
    sock.on('data', (d) => {
      emit([
        {
          kind: 'read',
          t: now(),
          loop,
          fd,
          gen: g,
          sys: 'read',
          max: 65535,
          bytes: d.length,
          result: 'data',
          errno: null,
        },
      ]);
      sock.write(d);
      emit([
        {
          kind: 'write',
          t: now(),
          loop,
          fd,
          gen: g,
          sys: 'write',
          asked: d.length,
          written: d.length,
          result: 'full',
          errno: null,
        },
      ]);
    });
    sock.on('end', () => sock.end());
    sock.on('close', () =>
      emit([{ kind: 'close', t: now(), loop, fd, gen: g, reason: 'eof', errno: null, discarded: 0 }]),
    );
    sock.on('error', () => undefined);
  });
  const port = Number(/:(\d+)$/.exec(spec.addrs[0] ?? '')?.[1] ?? 0);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as net.AddressInfo).port;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  let stopped = false;
  const floodChunk = (left: number) => {
    if (stopped) return;
    if (left <= 0) return resolveDone();
    const batch: TraceEventDraft[] = [];
    const size = Math.min(opts.floodChunk ?? 2000, left);
    for (let i = 0; i < size; i++) batch.push({ kind: 'mark', t: now(), loop: 0, text: `flood ${i}` });
    emit(batch);
    const next = () => floodChunk(left - batch.length);
    if (opts.floodEveryMs) setTimeout(next, opts.floodEveryMs);
    else setImmediate(next);
  };
  if (opts.flood) setImmediate(() => floodChunk(opts.flood!));
  return {
    addrs: [`tcp://127.0.0.1:${bound}`],
    done,
    get eventCount() {
      return count;
    },
    wake() {},
    async stop() {
      if (stopped) return;
      stopped = true;
      server.close();
      for (let i = 0; i < loops; i++)
        emit([{ kind: 'loop-stop', t: now(), loop: i, reason: 'shutdown', error: null }]);
      resolveDone();
    },
  };
}
