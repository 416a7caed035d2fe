/** Replay: a recording from a dropped file, the server's list or the bundled examples. */
import { RecordingDecoder } from '@loopscope/trace';
import type { SourceSink, TraceSource } from './types';

/** Bytes (or characters) decoded between two yields to the page. */
const SLICE = 4 * 1024 * 1024;

export class ReplaySource implements TraceSource {
  readonly kind = 'replay' as const;
  private sink: SourceSink | null = null;
  private cancelled = false;

  /** `load` yields the recording's bytes or text; `label` names it in the top bar. */
  constructor(
    private readonly label: string,
    private readonly load: () => Promise<string | Uint8Array>,
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
  private async deliver(data: string | Uint8Array): Promise<void> {
    const sink = this.sink;
    if (!sink || this.cancelled) return;
    const started = performance.now();
    let headerSent = false;
    const dec = new RecordingDecoder({
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
    if (this.cancelled) return;
    const err = dec.end();
    if (!headerSent) sink.reset(dec.header, this.label);
    const n = dec.events;
    sink.decodeError(err ? { line: err.line, message: err.message, valid: n } : null);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    const note = dec.complete || err ? '' : ' (no end event: the recording was cut short)';
    sink.status({
      state: err ? 'error' : 'ready',
      message: err ? null : `${this.label}: ${n.toLocaleString()} events, read in ${secs} s${note}`,
    });
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

/** Reads a dropped or picked file. */
export async function readFile(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}
