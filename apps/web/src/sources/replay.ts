/**
 * Replay: a recording from a dropped file, the server's list or the bundled examples. A
 * recording is read, validated and indexed by the recording worker (`recording-read.ts`): the
 * page receives its text in chunks with per-event columns, the reducer's models every few
 * thousand events and the numbers, and parses an event only when a view needs it. An strace
 * log is imported in the page.
 */
import type { IndexMessage } from '../model/index-protocol';
import type { IndexDone } from '../model/recording-index';
import { type Indexing, indexRecording } from './recording-read';
import { importSentence, importStraceSliced, provisionalStraceHeader, sniffFormat } from './strace-import';
import type { SourceSink, TraceSource } from './types';

/** Bytes of a file looked at to tell a recording from an strace log. */
const SNIFF = 64 * 1024;

export class ReplaySource implements TraceSource {
  readonly kind = 'replay' as const;
  private sink: SourceSink | null = null;
  private cancelled = false;
  private indexing: Indexing | null = null;

  /** `load` yields the recording's bytes or text; `label` names it in the top bar. */
  constructor(
    private readonly label: string,
    private readonly load: () => Promise<string | Uint8Array | Blob>,
  ) {}

  attach(sink: SourceSink): void {
    this.sink = sink;
    sink.status({ state: 'loading', message: `Loading ${this.label}…` });
    this.load()
      .then((data) => this.deliver(data))
      .catch((err: unknown) => {
        if (this.cancelled) return;
        sink.reset(null, this.label);
        sink.status({ state: 'error', message: `Could not read ${this.label}: ${errorText(err)}` });
      });
  }

  /** An strace log is imported here; anything else is a recording, indexed by the worker. */
  private async deliver(data: string | Uint8Array | Blob): Promise<void> {
    const sink = this.sink;
    if (!sink || this.cancelled) return;
    if (data instanceof Blob) {
      const head = new Uint8Array(await data.slice(0, SNIFF).arrayBuffer());
      if (this.cancelled) return;
      if (sniffFormat(head) === 'strace')
        return this.deliverStrace(new Uint8Array(await data.arrayBuffer()), sink);
      return this.deliverRecording(data, sink);
    }
    if (sniffFormat(data) === 'strace') return this.deliverStrace(data, sink);
    return this.deliverRecording(new Blob([data as BlobPart]), sink);
  }

  /**
   * A recording: the first events are on screen as soon as the first chunk is validated, the
   * rest streams in with a progress message, and a bad line stops with what was valid.
   */
  private deliverRecording(blob: Blob, sink: SourceSink): void {
    const started = performance.now();
    let headerSent = false;
    let expected = 0;
    const onMessage = (m: IndexMessage) => {
      if (this.cancelled) return;
      switch (m.type) {
        case 'ready':
        case 'handoff':
        case 'tail-first':
          break;
        case 'header':
          headerSent = true;
          sink.reset(m.header, this.label);
          break;
        case 'chunk':
          if (!headerSent) {
            headerSent = true;
            sink.reset(null, this.label);
          }
          // The first chunk tells the size of an event: the recording holds about this many.
          expected ||= Math.ceil(((m.chunk.starts.length - 1) / m.read) * blob.size * 1.02);
          sink.chunk(m.chunk, expected);
          if (m.stats) sink.stats(m.stats);
          sink.status({
            state: 'loading',
            message: `Loading ${this.label}: ${Math.round((m.read / Math.max(1, blob.size)) * 100)}%…`,
          });
          break;
        case 'snapshot':
          sink.snapshot(m.at, m.model);
          break;
        case 'done':
          this.finish(m.done, headerSent, sink, started);
          break;
        case 'failed':
          if (!headerSent) sink.reset(null, this.label);
          sink.status({ state: 'error', message: `Could not read ${this.label}: ${m.message}` });
          break;
      }
    };
    this.indexing = indexRecording(blob, this.label, onMessage);
  }

  private finish(done: IndexDone, headerSent: boolean, sink: SourceSink, started: number): void {
    if (this.cancelled) return;
    const err = done.error;
    if (!headerSent) sink.reset(null, this.label);
    if (done.stats) sink.stats(done.stats);
    const n = done.events;
    sink.decodeError(err ? { line: err.line, message: err.message, valid: n } : null);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    const note = done.complete || err ? '' : ' (no end event: the recording was cut short)';
    sink.status({
      state: err ? 'error' : 'ready',
      message: err ? null : `${this.label}: ${n.toLocaleString()} events, read in ${secs} s${note}`,
    });
  }

  /** An strace log: imported in the page, events shown as they become final. */
  private async deliverStrace(data: string | Uint8Array, sink: SourceSink): Promise<void> {
    const started = performance.now();
    sink.reset(provisionalStraceHeader(), this.label);
    sink.status({ state: 'loading', message: `Importing strace log ${this.label}…` });
    try {
      const res = await importStraceSliced(data, {
        onEvents: (batch) => sink.events(batch),
        onProgress: (f) =>
          sink.status({
            state: 'loading',
            message: `Importing strace log ${this.label}: ${Math.round(f * 100)}%…`,
          }),
        cancelled: () => this.cancelled,
      });
      if (!res || this.cancelled) return;
      sink.header(res.header);
      sink.imported(res.summary);
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      sink.status({ state: 'ready', message: importSentence(this.label, res, secs) });
    } catch (err) {
      if (this.cancelled) return;
      sink.status({
        state: 'error',
        message: `${this.label} is neither a Loopscope recording nor an strace log: ${errorText(err)}`,
      });
    }
  }

  detach(): void {
    this.cancelled = true;
    this.indexing?.cancel();
    this.indexing = null;
    this.sink = null;
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Fetches a URL's body (handed to the recording worker as it is), with the HTTP status in the error. */
export async function fetchBlob(url: string): Promise<Blob> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  return res.blob();
}

/** A dropped or picked file: the replay source streams it. */
export async function readFile(file: File): Promise<Blob> {
  return file;
}
