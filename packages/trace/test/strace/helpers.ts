import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { decodeRecording, encodeRecording, type TraceEvent, type TraceHeader } from '../../src/index';
import { importStrace, type StraceImportOptions, type StraceImportSummary } from '../../src/strace/index';

/**
 * The reference logs of real programs under strace (Go evio, nginx), gzipped: what each shows is
 * in `INDEX.md` beside them. `evio-strace-echo.txt` is evio's echo, one accept and one reply.
 */
const STRACE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/strace');

/** The text of one reference log (`name` without `.gz`). */
export function readStraceFixture(name: string): string {
  return gunzipSync(readFileSync(path.join(STRACE_DIR, `${name}.gz`))).toString('utf8');
}

export interface Imported {
  header: TraceHeader;
  events: TraceEvent[];
  summary: StraceImportSummary;
}

/** Imports a log and checks that the recording encodes and decodes strictly (schema + order). */
export function importChecked(text: string, opts: StraceImportOptions = {}): Imported {
  const r = importStrace(text, { created: '2026-11-27T00:00:00.000Z', ...opts });
  const decoded = decodeRecording(encodeRecording(r.header, r.all));
  if (decoded.events.length !== r.all.length) throw new Error('decoded event count differs');
  return { header: r.header, events: r.all, summary: r.summary };
}

/** Imports one fixture of the shared strace folder. */
export function importFixture(name: string, opts: StraceImportOptions = {}): Imported {
  return importChecked(readStraceFixture(name), opts);
}

/** Events of one kind. */
export function ofKind<K extends TraceEvent['kind']>(
  events: TraceEvent[],
  kind: K,
): Extract<TraceEvent, { kind: K }>[] {
  return events.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);
}

/** loop index -> its epoll fd. */
export function epfdOfLoop(events: TraceEvent[]): Map<number, number> {
  return new Map(ofKind(events, 'loop-start').map((e) => [e.loop, e.epfd]));
}

/** Counts events by a key, keyed by the loop's epoll fd. */
export function perEpfd(events: TraceEvent[], test: (e: TraceEvent) => boolean): Record<number, number> {
  const epfd = epfdOfLoop(events);
  const out: Record<number, number> = {};
  for (const e of events) {
    if (!test(e)) continue;
    const fd = epfd.get(e.loop) ?? -1;
    out[fd] = (out[fd] ?? 0) + 1;
  }
  return out;
}

/** accept events by outcome. */
export function acceptOutcomes(events: TraceEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of ofKind(events, 'accept')) out[e.outcome] = (out[e.outcome] ?? 0) + 1;
  return out;
}

/** wait-return events whose ready list holds `fd`. */
export function wakeupsOn(events: TraceEvent[], fd: number): number {
  return ofKind(events, 'wait-return').filter((e) => e.ready.some((v, i) => i % 2 === 0 && v === fd)).length;
}
