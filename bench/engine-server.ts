/**
 * The engine with tracing off, for the benchmark: the same `serve()` call as `loopscope echo`
 * without `--record` (echo handler, `trace: false`), plus one JSON line on stdout after it stopped
 * with the kernels' syscall and data-read counts (`LinuxServer.kernelCounts`), which a trace-less
 * run cannot get from a recording.
 *
 * Usage: tsx bench/engine-server.ts <loops> <mode> [reuse-input]   (listens on 127.0.0.1, an
 * ephemeral port; `reuse-input`: the echo handler sets ReuseInputBuffer, as `--reuse-input` does)
 */
import { MODE_NAMES, type ModeName } from '../packages/engine/src/core/modes';
import { builtinHandlerUrl, serve } from '../packages/engine/src/linux/index';

const [loopsArg, modeArg, reuseArg] = process.argv.slice(2);
const loops = Number(loopsArg);
if (
  !(Number.isInteger(loops) && loops >= 1 && loops <= 64) ||
  !MODE_NAMES.includes(modeArg as ModeName) ||
  (reuseArg !== undefined && reuseArg !== 'reuse-input')
) {
  console.error(`usage: engine-server.ts <loops 1..64> <mode: ${MODE_NAMES.join(', ')}> [reuse-input]`);
  process.exit(2);
}

const server = await serve({
  addrs: ['tcp://127.0.0.1:0'],
  handler: { module: builtinHandlerUrl('echo'), params: reuseArg ? { reuseInputBuffer: true } : undefined },
  numLoops: loops,
  mode: modeArg as ModeName,
  trace: false,
});
console.log(JSON.stringify({ listening: server.addrs[0] }));
const stop = (): void => void server.stop();
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
await server.done;
console.log(JSON.stringify({ counts: server.kernelCounts() }));
