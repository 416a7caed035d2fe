/**
 * Telling an strace log from an NDJSON recording, and importing a log in the page with the trace
 * package's `StraceImporter`, a time slice at a time so the page keeps drawing.
 */
import {
  makeHeader,
  parseStraceLine,
  StraceImporter,
  type StraceImportResult,
  type TraceEvent,
  type TraceHeader,
} from '@loopscope/trace';

/** Bytes looked at to tell the two formats apart. */
const SNIFF_BYTES = 64 * 1024;
/** Text handed to the importer per call; a slice keeps calling until its time is used up. */
const CHUNK_CHARS = 64 * 1024;
/** Main-thread time per slice before yielding to the page. */
const SLICE_MS = 40;

export type TraceFormat = 'ndjson' | 'strace';

/**
 * `ndjson` when the first non-blank line is a JSON object (a Loopscope recording); `strace`
 * when a line before it parses as strace output; else `ndjson`, whose decoder explains the
 * problem with the line and column.
 */
export function sniffFormat(data: string | Uint8Array): TraceFormat {
  const head =
    typeof data === 'string'
      ? data.slice(0, SNIFF_BYTES)
      : new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(0, SNIFF_BYTES));
  const lines = head.split('\n');
  // The last line of the sample may be cut: only whole lines count, unless it is all there is.
  if (lines.length > 1) lines.pop();
  for (const raw of lines.slice(0, 200)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('{')) return 'ndjson';
    const parsed = safeParse(raw);
    if (parsed === 'comment') continue;
    return parsed === 'strace' ? 'strace' : 'ndjson';
  }
  return 'ndjson';
}

function safeParse(line: string): 'comment' | 'strace' | 'other' {
  try {
    const p = parseStraceLine(line);
    if (p.type === 'comment' || p.type === 'blank') return 'comment';
    return p.type === 'bad' ? 'other' : 'strace';
  } catch {
    return 'other';
  }
}

/** The header shown while an strace log is being imported (the real one comes at the end). */
export function provisionalStraceHeader(): TraceHeader {
  return makeHeader({
    mode: 'strace',
    loops: 0,
    balance: null,
    scenario: null,
    host: null,
    source: { type: 'strace', program: null, pids: [], seed: null },
  });
}

export interface SlicedImport {
  /** Events that became final, in order. */
  onEvents(batch: TraceEvent[]): void;
  /** Fraction of the input read so far (0..1). */
  onProgress(fraction: number): void;
  /** True once the caller lost interest: the import stops and resolves null. */
  cancelled(): boolean;
}

/**
 * Imports an strace log (`strace -f -tt [-T]`) in time slices. Noise (signals, Go's runtime
 * poller, calls outside any loop) is dropped and counted, as the CLI does.
 * @throws StraceImportError when the text is not an strace log at all.
 */
export async function importStraceSliced(
  data: string | Uint8Array,
  cb: SlicedImport,
): Promise<StraceImportResult | null> {
  const text = typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: false }).decode(data);
  const imp = new StraceImporter({ keepNoise: false });
  let at = 0;
  while (at < text.length) {
    const started = performance.now();
    while (at < text.length && performance.now() - started < SLICE_MS) {
      const out = imp.push(text.slice(at, at + CHUNK_CHARS));
      at += CHUNK_CHARS;
      if (out.length > 0) cb.onEvents(out);
    }
    cb.onProgress(Math.min(1, at / Math.max(1, text.length)));
    await new Promise((r) => setTimeout(r, 0));
    if (cb.cancelled()) return null;
  }
  const res = imp.finish();
  if (res.events.length > 0) cb.onEvents(res.events);
  return res;
}

/** The importer's counts in one sentence for the banner. */
export function importSentence(label: string, r: StraceImportResult, secs: string): string {
  const s = r.summary;
  const prog = r.header.source.program ? ` of ${r.header.source.program}` : '';
  return (
    `${label}: strace log${prog} imported in ${secs} s: ${s.loops} loop${s.loops === 1 ? '' : 's'}, ` +
    `${s.events.toLocaleString()} events from ${s.lines.toLocaleString()} lines, ` +
    `${s.skippedLines.toLocaleString()} skipped, ${s.noiseDropped.toLocaleString()} noise events filtered`
  );
}
