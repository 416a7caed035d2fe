/**
 * `loopscope validate <recording>`: checks a recording end to end (header, every event against
 * the schema, seq and time order, complete last line) in bounded memory.
 */
import { TraceDecodeError } from '@loopscope/trace';
import type { Command } from 'commander';
import { readRecording } from '../recording/index';

/** Prints a decode error as `file:line: ...` and sets exit code 1; rethrows anything else. */
export function reportDecodeError(err: unknown): void {
  if (!(err instanceof TraceDecodeError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
}

/** Registers `validate`. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'Check that a recording is valid: exit 0 with a one-line summary, or exit 1 with file:line: error',
    )
    .argument('<recording>', 'recording file (.ndjson)')
    .option('--require-end', 'also fail if the recording has no final "end" event (it was cut short)')
    .action(async (file: string, opts: { requireEnd?: boolean }) => {
      try {
        const r = await readRecording(file);
        const h = r.header!;
        const ending = r.complete ? 'complete' : 'no "end" event (incomplete)';
        const loops = `${h.loops} loop${h.loops === 1 ? '' : 's'}`;
        if (opts.requireEnd === true && !r.complete) {
          process.stderr.write(`${file}: valid but incomplete: no "end" event after ${r.events} events\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(
          `${file}: ok: ${r.events} events, ${loops}, mode ${h.mode}, source ${h.source.type}, ${ending}\n`,
        );
      } catch (err) {
        reportDecodeError(err);
      }
    });
}
