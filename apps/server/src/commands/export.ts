/**
 * `loopscope export --perfetto <recording> <out.json>`: converts a recording to Chrome Trace
 * Event JSON for ui.perfetto.dev, streaming (bounded memory) into a temporary file that is
 * renamed into place only when the whole recording was valid.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { createPerfettoExporter, type PerfettoExporter } from '@loopscope/trace';
import type { Command } from 'commander';
import { readRecording } from '../recording/index';
import { reportDecodeError } from './validate';

/** Streams `file` to `out` as Perfetto JSON; returns the number of events exported. */
export async function exportPerfetto(file: string, out: string): Promise<number> {
  const tmp = `${out}.tmp-${process.pid}`;
  const stream = createWriteStream(tmp);
  let failure: Error | null = null;
  stream.on('error', (err) => {
    failure ??= err;
  });
  let exporter: PerfettoExporter | null = null;
  try {
    await once(stream, 'open');
    const r = await readRecording(file, {
      onHeader: (h) => {
        exporter = createPerfettoExporter(h);
      },
      onEvents: async (batch) => {
        let text = '';
        for (let i = 0; i < batch.length; i++) text += exporter!.push(batch[i]!);
        if (failure !== null) throw failure;
        if (!stream.write(text)) await once(stream, 'drain');
      },
    });
    stream.end((exporter ?? createPerfettoExporter(r.header)).finish());
    await finished(stream);
    await rename(tmp, out);
    return r.events;
  } catch (err) {
    stream.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Registers `export`. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Convert a recording to another format (Perfetto / Chrome Trace Event JSON)')
    .argument('<recording>', 'recording file (.ndjson)')
    .argument('<out>', 'output file (e.g. trace.json; open it at https://ui.perfetto.dev)')
    .option('--perfetto', 'write Chrome Trace Event JSON for ui.perfetto.dev (the only format so far)')
    .action(async (file: string, out: string, opts: { perfetto?: boolean }) => {
      if (opts.perfetto !== true) {
        process.stderr.write('loopscope export: choose a format: --perfetto\n');
        process.exitCode = 1;
        return;
      }
      try {
        const n = await exportPerfetto(file, out);
        process.stdout.write(`${out}: ${n} events exported (open it at https://ui.perfetto.dev)\n`);
      } catch (err) {
        reportDecodeError(err);
      }
    });
}
