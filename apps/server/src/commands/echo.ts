/**
 * `loopscope echo`: the engine as a plain server that anyone can point a client at (`nc`,
 * `curl`, `redis-cli`, `wrk`), optionally recording its whole trace.
 */

import { dirname, resolve } from 'node:path';
import { LOAD_BALANCES, type LoadBalance, MODE_NAMES, type ModeName } from '@loopscope/engine';
import { makeHeader, type TraceEvent } from '@loopscope/trace';
import { type Command, InvalidArgumentError } from 'commander';
import { hostInfo } from '../host-info';
import { handlerModulePath } from '../paths';
import { RecordingWriter } from '../recording/index';

const HANDLERS = ['echo', 'http', 'redis'] as const;

interface EchoOptions {
  listen: string[];
  loops: number;
  balance: LoadBalance;
  handler: (typeof HANDLERS)[number];
  mode: ModeName;
  record?: string;
  wide?: boolean;
  reuseInput?: boolean;
}

function oneOf<T extends string>(values: readonly T[], what: string) {
  return (v: string): T => {
    if ((values as readonly string[]).includes(v)) return v as T;
    throw new InvalidArgumentError(`unknown ${what} "${v}" (one of: ${values.join(', ')})`);
  };
}

function loopCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < -1 || n > 64)
    throw new InvalidArgumentError('loops must be an integer from -1 to 64');
  return n;
}

/** Refuses addresses that would listen beyond loopback unless --wide was given. */
function checkLoopback(addr: string, wide: boolean): void {
  const host = addr.replace(/^[a-z0-9-]+:\/\//, '').replace(/\?.*$/, '');
  if (/^unix/.test(addr) || wide) return;
  if (/^(127\.|\[::1\]|localhost)/.test(host) || host === '') return;
  throw new Error(
    `refusing to listen on "${addr}": only loopback by default (pass --wide to allow other interfaces)`,
  );
}

export function registerEcho(program: Command): void {
  program
    .command('echo')
    .description(
      'Run the engine as a plain server (echo, http or redis handler) and optionally record its trace',
    )
    .option(
      '--listen <addr...>',
      'evio addresses: tcp://127.0.0.1:5000, unix:///tmp/ls.sock, udp://127.0.0.1:5001',
      ['tcp://127.0.0.1:5000'],
    )
    .option('--loops <n>', 'loops (threads): 0 = 1, -1 = one per CPU', loopCount, 1)
    .option(
      '--balance <name>',
      `load balancer: ${LOAD_BALANCES.join(', ')}`,
      oneOf(LOAD_BALANCES, 'balancer'),
      'random',
    )
    .option('--handler <name>', `handler: ${HANDLERS.join(', ')}`, oneOf(HANDLERS, 'handler'), 'echo')
    .option('--mode <name>', `engine mode: ${MODE_NAMES.join(', ')}`, oneOf(MODE_NAMES, 'mode'), 'evio')
    .option('--record <file>', 'write the whole trace to this NDJSON recording')
    .option(
      '--reuse-input',
      "echo handler only: set evio's ReuseInputBuffer, so Data gets a view of the read buffer, not a copy",
    )
    .option('--wide', 'allow listening on interfaces other than loopback')
    .action(async (opts: EchoOptions) => runEcho(opts));
}

async function runEcho(opts: EchoOptions): Promise<void> {
  for (const a of opts.listen) checkLoopback(a, opts.wide === true);
  if (opts.reuseInput && opts.handler !== 'echo')
    throw new Error(
      `--reuse-input is for the echo handler only (the ${opts.handler} handler keeps its input)`,
    );
  const params = opts.reuseInput ? { reuseInputBuffer: true } : undefined;
  const { serve, resolveLoops } = await import('@loopscope/engine/linux');
  const writer = opts.record ? new RecordingWriter() : null;
  if (writer && opts.record) {
    await writer.open(
      opts.record,
      makeHeader({
        mode: opts.mode,
        loops: resolveLoops(opts.loops),
        balance: opts.balance,
        scenario: {
          name: 'echo',
          params: {
            handler: opts.handler,
            listen: opts.listen.join(' '),
            ...(params ? { reuseInput: true } : {}),
          },
        },
        host: hostInfo(),
        source: { type: 'engine', program: 'loopscope echo', pids: [process.pid], seed: null },
      }),
    );
  }
  // Nobody watches this recording live: the loops' records are spilled next to it during the run
  // and merged into it after the stop (the main thread then leaves the CPU to the loops).
  const record = async (events: TraceEvent[]): Promise<void> => {
    await writer?.write(events);
  };
  const server = await serve({
    addrs: opts.listen,
    handler: { module: handlerModulePath(opts.handler), params },
    numLoops: opts.loops,
    loadBalance: opts.balance,
    mode: opts.mode,
    trace: writer !== null,
    onEvents: writer ? record : undefined,
    spillDir: opts.record ? dirname(resolve(opts.record)) : undefined,
  });
  process.stdout.write(
    `loopscope echo: ${opts.handler} handler, ${server.numLoops} loop(s), ${opts.mode} mode, listening on ${server.addrs.join(', ')}\n` +
      `try: nc ${hostPort(server.addrs[0] ?? '')}    (Ctrl-C stops)\n`,
  );
  let stopping = false;
  let stopAt = 0;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    stopAt = performance.now();
    if (writer) process.stdout.write(`stopping; writing the recording to ${opts.record}...\n`);
    await server.stop();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  await server.done;
  if (writer) {
    await writer.close({ end: true });
    const took =
      stopAt > 0 ? ` (stop and write took ${((performance.now() - stopAt) / 1000).toFixed(1)} s)` : '';
    process.stdout.write(`recorded ${writer.events} events to ${opts.record}${took}\n`);
  }
}

function hostPort(addr: string): string {
  const m = /^(?:[a-z0-9]+:\/\/)?(\[[^\]]+\]|[^:/]+):(\d+)/.exec(addr);
  return m ? `${m[1]} ${m[2]}` : addr;
}
