/**
 * `loopscope record <scenario> --out FILE`: runs one scenario of the catalog and writes a lossless
 * recording, on the real kernel (real loops, real loopback clients) or, with `--sim`, in the
 * simulator. A progress line (events so far, elapsed) goes to stderr.
 */
import { LOAD_BALANCES, type LoadBalance, MODE_NAMES, type ModeName } from '@loopscope/engine';
import { type Command, InvalidArgumentError } from 'commander';
import { recordScenario } from '../runs/record-run';
import { SCENARIOS } from '../scenarios/catalog';

interface RecordFlags {
  mode: ModeName;
  loops: number;
  balance: LoadBalance;
  sim?: boolean;
  seed: number;
  param: string[];
  out: string;
}

function oneOf<T extends string>(values: readonly T[], what: string) {
  return (v: string): T => {
    if ((values as readonly string[]).includes(v)) return v as T;
    throw new InvalidArgumentError(`unknown ${what} "${v}" (one of: ${values.join(', ')})`);
  };
}

function integer(what: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${what} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

function collect(v: string, prev: string[]): string[] {
  if (!/^[A-Za-z][A-Za-z0-9]*=/.test(v))
    throw new InvalidArgumentError(`--param takes name=value, got "${v}"`);
  return [...prev, v];
}

/** Registers `record`. */
export function registerRecord(program: Command): void {
  program
    .command('record')
    .description('Run a scenario (real kernel, or --sim) and write a lossless recording')
    .argument('<scenario>', `scenario: ${[...SCENARIOS.keys()].filter((n) => n !== 'playground').join(', ')}`)
    .option('--mode <name>', `engine mode: ${MODE_NAMES.join(', ')}`, oneOf(MODE_NAMES, 'mode'), 'evio')
    .option('--loops <n>', 'loops (threads), 1..8', integer('loops', 1, 8), 1)
    .option(
      '--balance <name>',
      `balancer: ${LOAD_BALANCES.join(', ')}`,
      oneOf(LOAD_BALANCES, 'balancer'),
      'random',
    )
    .option('--sim', 'run in the simulator instead of on the real kernel')
    .option('--seed <n>', 'simulator seed', integer('seed', 0, Number.MAX_SAFE_INTEGER), 1)
    .option('--param <name=value>', 'a scenario parameter (repeatable)', collect, [])
    .requiredOption('--out <file>', 'the recording to write (.ndjson)')
    .action(async (scenario: string, flags: RecordFlags) => runRecord(scenario, flags));
}

async function runRecord(scenario: string, flags: RecordFlags): Promise<void> {
  if (scenario === 'playground')
    throw new Error('playground waits for people to connect: use `loopscope serve`');
  const params: Record<string, string> = {};
  for (const kv of flags.param) {
    const at = kv.indexOf('=');
    params[kv.slice(0, at)] = kv.slice(at + 1);
  }
  const started = performance.now();
  const tty = process.stderr.isTTY === true;
  const progress = (events: number) => {
    const line = `${scenario}: ${events} events, ${((performance.now() - started) / 1000).toFixed(1)} s`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    const r = await recordScenario({
      scenario,
      mode: flags.mode,
      loops: flags.loops,
      balance: flags.balance,
      params,
      out: flags.out,
      sim: flags.sim ? { seed: flags.seed } : undefined,
      catalog: SCENARIOS,
      onProgress: progress,
      signal: abort.signal,
    });
    if (tty) process.stderr.write('\n');
    const where = flags.sim ? `simulator, seed ${flags.seed}` : 'real kernel';
    process.stdout.write(
      `recorded ${r.events} events to ${flags.out} (${where}); see: loopscope stats ${flags.out}\n`,
    );
  } finally {
    process.off('SIGINT', onSignal);
  }
}
