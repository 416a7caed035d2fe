/**
 * `loopscope import-strace <log> [--out <recording>] [--program NAME] [--keep-noise]`: turns an
 * `strace -f -tt [-T]` log into a recording. The log is streamed; events go to a temporary file
 * as they are final (the header, which names the loop count, is known only at the end), then
 * the recording is written as header + events + `end`. Memory stays bounded on any log size.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  encodeEvent,
  encodeHeader,
  StraceImporter,
  type StraceImportSummary,
  type TraceEvent,
} from '@loopscope/trace';
import type { Command } from 'commander';

/** Options of `importStraceFile`. */
export interface ImportStraceOptions {
  out?: string;
  program?: string;
  keepNoise?: boolean;
  keepRuntimePoller?: boolean;
  /** Where progress lines go (default: stderr); null for none. */
  progress?: ((line: string) => void) | null;
}

/** What `importStraceFile` wrote. */
export interface ImportStraceResult {
  out: string;
  summary: StraceImportSummary;
}

/** Logs at least this big get a progress line. */
const PROGRESS_FROM_BYTES = 16 * 1024 * 1024;

/** `dir/name.strace` -> `dir/name.ndjson`. */
export function defaultOutPath(log: string): string {
  const ext = extname(log);
  const stem = ext === '' || ext === '.ndjson' ? basename(log) : basename(log, ext);
  return join(dirname(log), `${stem}${ext === '.ndjson' ? '.imported' : ''}.ndjson`);
}

async function put(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function closeStream(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'close');
}

/** Imports one log file into a recording file. */
export async function importStraceFile(
  log: string,
  opts: ImportStraceOptions = {},
): Promise<ImportStraceResult> {
  const out = opts.out ?? defaultOutPath(log);
  const total = (await stat(log)).size;
  const tmp = `${out}.${process.pid}.tmp`;
  const importer = new StraceImporter({
    ...(opts.program === undefined ? {} : { program: opts.program }),
    keepNoise: opts.keepNoise ?? false,
    keepRuntimePoller: opts.keepRuntimePoller ?? false,
  });
  const progress =
    opts.progress === undefined ? (s: string) => process.stderr.write(`${s}\n`) : opts.progress;
  const tmpStream = createWriteStream(tmp);
  let lastT = 0;
  let count = 0;
  const spill = async (events: TraceEvent[]): Promise<void> => {
    if (events.length === 0) return;
    let text = '';
    for (const ev of events) text += `${encodeEvent(ev)}\n`;
    lastT = events[events.length - 1]!.t;
    count += events.length;
    await put(tmpStream, text);
  };
  try {
    let read = 0;
    let lines = 0;
    let nextReport = Date.now() + 1000;
    for await (const chunk of createReadStream(log, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      const text = chunk as string;
      read += Buffer.byteLength(text);
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
      await spill(importer.push(text));
      if (progress !== null && total >= PROGRESS_FROM_BYTES && Date.now() >= nextReport) {
        nextReport = Date.now() + 1000;
        const pct = ((100 * read) / total).toFixed(0);
        progress(`import-strace: ${mb(read)} / ${mb(total)} MB (${pct}%), ${lines} lines, ${count} events`);
      }
    }
    const result = importer.finish();
    await spill(result.events);
    await closeStream(tmpStream);
    const final = createWriteStream(out);
    await put(final, `${encodeHeader(result.header)}\n`);
    await pipeline(createReadStream(tmp), final, { end: false });
    await put(final, `${encodeEvent({ seq: count, t: lastT, loop: -1, kind: 'end', events: count })}\n`);
    await closeStream(final);
    return { out, summary: { ...result.summary, events: count + 1 } };
  } finally {
    tmpStream.destroy();
    await rm(tmp, { force: true });
  }
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** The summary printed after an import. */
export function formatImportSummary(r: ImportStraceResult): string {
  const s = r.summary;
  const lines = [
    `wrote ${r.out}`,
    `  loops ${s.loops}, events ${s.events}, pids ${s.pids.join(' ') || '-'}`,
    `  lines ${s.lines} (parsed ${s.parsedLines}, skipped ${s.skippedLines})`,
    `  filtered: ${s.runtimePollerEvents} runtime poller calls, ${s.noiseDropped} noise events dropped, ${s.otherEvents} kept as other`,
  ];
  if (s.unfinishedAtEnd > 0) lines.push(`  ${s.unfinishedAtEnd} calls unfinished at the end of the log`);
  for (const k of s.skipped) lines.push(`  skipped line ${k.line}: ${k.reason}: ${k.text.slice(0, 80)}`);
  return lines.join('\n');
}

export function registerImportStrace(program: Command): void {
  program
    .command('import-strace')
    .description('import an `strace -f -tt [-T]` log as a recording (header + events, NDJSON)')
    .argument('<log>', 'the strace output file')
    .option('-o, --out <recording>', 'the recording to write (default: the log name with .ndjson)')
    .option('--program <name>', 'the traced program, for the header (default: from a "# cmd:" comment)')
    .option('--keep-noise', 'keep calls that are not part of the loop model as "other" events')
    .option('--keep-runtime-poller', 'keep epoll fds polled only with timeout 0 (Go netpoller) as loops')
    .action(
      async (
        log: string,
        o: { out?: string; program?: string; keepNoise?: boolean; keepRuntimePoller?: boolean },
      ) => {
        const r = await importStraceFile(log, o);
        process.stdout.write(`${formatImportSummary(r)}\n`);
      },
    );
}
