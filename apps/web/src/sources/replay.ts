/** Replay: a recording from a dropped file, the server's list or the bundled examples. */
import { RecordingDecoder } from '@loopscope/trace';
import { importSentence, importStraceSliced, provisionalStraceHeader, sniffFormat } from './strace-import';
import type { SourceSink, TraceSource } from './types';

/** Bytes (or characters) decoded between two yields to the page. */
const SLICE = 4 * 1024 * 1024;
/** Main-thread time spent decoding a streamed file before yielding to the page. */
const STREAM_SLICE_MS = 60;
/** Bytes of a file looked at to tell a recording from an strace log. */
const SNIFF = 64 * 1024;

export class ReplaySource implements TraceSource {
  readonly kind = 'replay' as const;
  private sink: SourceSink | null = null;
  private cancelled = false;

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

  /**
   * Decodes in slices, yielding to the page between them: the first events are on screen at
   * once, the rest stream in with a progress message, and a bad line stops with what was valid.
   */
  private async deliver(data: string | Uint8Array | Blob): Promise<void> {
    const sink = this.sink;
    if (!sink || this.cancelled) return;
    if (data instanceof Blob) return this.deliverBlob(data, sink);
    if (sniffFormat(data) === 'strace') return this.deliverStrace(data, sink);
    const started = performance.now();
    const dec = this.decoder(sink);
    const size = data.length;
    for (let at = 0; at < size && !this.cancelled; at += SLICE) {
      dec.push(data.slice(at, at + SLICE));
      if (dec.error) break;
      sink.status({
        state: 'loading',
        message: `Loading ${this.label}: ${Math.round(((at + SLICE) / size) * 100)}%…`,
      });
      await new Promise((r) => setTimeout(r, 0));
    }
    this.finish(dec, sink, started);
  }

  /**
   * A file: streamed, so decoding overlaps reading (a 100 MB file takes about a second just to
   * read), yielding to the page every `STREAM_SLICE_MS`.
   */
  private async deliverBlob(blob: Blob, sink: SourceSink): Promise<void> {
    const head = new Uint8Array(await blob.slice(0, SNIFF).arrayBuffer());
    if (this.cancelled) return;
    if (sniffFormat(head) === 'strace')
      return this.deliverStrace(new Uint8Array(await blob.arrayBuffer()), sink);
    const started = performance.now();
    const dec = this.decoder(sink);
    const reader = blob.stream().getReader();
    let read = 0;
    let sliceStart = performance.now();
    for (;;) {
      const { value, done } = await reader.read();
      if (done || this.cancelled) break;
      dec.push(value);
      read += value.length;
      if (dec.error) break;
      if (performance.now() - sliceStart < STREAM_SLICE_MS) continue;
      sink.status({
        state: 'loading',
        message: `Loading ${this.label}: ${Math.round((read / Math.max(1, blob.size)) * 100)}%…`,
      });
      await new Promise((r) => setTimeout(r, 0));
      sliceStart = performance.now();
    }
    reader.cancel().catch(() => {});
    this.finish(dec, sink, started);
  }

  /** A decoder that resets the trace at the header and sends events on as they are validated. */
  private decoder(sink: SourceSink): RecordingDecoder {
    let headerSent = false;
    return new RecordingDecoder({
      tolerant: true,
      source: this.label,
      batchSize: 16384,
      onHeader: (h) => {
        headerSent = true;
        sink.reset(h, this.label);
      },
      onEvents: (batch) => {
        if (!headerSent) {
          headerSent = true;
          sink.reset(null, this.label);
        }
        sink.events(batch);
      },
    });
  }

  private finish(dec: RecordingDecoder, sink: SourceSink, started: number): void {
    if (this.cancelled) return;
    const err = dec.end();
    if (dec.events === 0 && dec.header === null) sink.reset(null, this.label);
    const n = dec.events;
    sink.decodeError(err ? { line: err.line, message: err.message, valid: n } : null);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    const note = dec.complete || err ? '' : ' (no end event: the recording was cut short)';
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
    this.sink = null;
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Fetches a URL as text, with the HTTP status in the error. */
export async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  return res.text();
}

/** A dropped or picked file: the replay source streams it. */
export async function readFile(file: File): Promise<Blob> {
  return file;
}
