/**
 * Writes a recording file: the header line, then events as they come, honouring the file
 * stream's backpressure (`write` resolves once the stream can take more).
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { encodeEvent, encodeHeader, type TraceEvent, type TraceHeader } from '@loopscope/trace';

/** Options of `RecordingWriter.close`. */
export interface CloseOptions {
  /** Append an `end` event (seq = events written, t = the last event's t, loop -1). */
  end?: boolean;
}

/**
 * One recording file being written. Usage: `await w.open(path, header)`, any number of
 * `await w.write(events)`, then `await w.close({ end: true })`. Events must already be numbered
 * (seq from 0) and in order; the writer does not check them (producers are trusted).
 */
export class RecordingWriter {
  private stream: WriteStream | null = null;
  private nextSeq = 0;
  private lastT = 0;
  private closed = false;
  private failure: Error | null = null;

  /** Events written so far (an `end` written by `close` included). */
  get events(): number {
    return this.nextSeq;
  }

  /** Creates (or truncates) the file and writes the header line. */
  async open(path: string, header: TraceHeader): Promise<void> {
    if (this.stream !== null) throw new Error('RecordingWriter: already open');
    // A deep buffer lets the next batch be encoded while the last one is being written.
    const stream = createWriteStream(path, { flags: 'w', highWaterMark: 4 << 20 });
    this.stream = stream;
    // Keep a late error (disk full) for the next call instead of crashing the process.
    stream.on('error', (err) => {
      this.failure ??= err;
    });
    await once(stream, 'open');
    await this.put(encodeHeader(header) + '\n');
  }

  /** Appends events; resolves when the stream is ready for more. */
  async write(events: readonly TraceEvent[]): Promise<void> {
    if (events.length === 0) return;
    let text = '';
    for (let i = 0; i < events.length; i++) text += encodeEvent(events[i]!) + '\n';
    const last = events[events.length - 1]!;
    await this.put(text);
    this.nextSeq = last.seq + 1;
    this.lastT = last.t;
  }

  /** Optionally appends the `end` event, then flushes and closes the file. */
  async close(options: CloseOptions = {}): Promise<void> {
    const stream = this.stream;
    if (stream === null || this.closed) return;
    if (options.end === true) {
      await this.write([{ seq: this.nextSeq, t: this.lastT, loop: -1, kind: 'end', events: this.nextSeq }]);
    }
    this.closed = true;
    stream.end();
    await finished(stream);
  }

  private async put(text: string): Promise<void> {
    const stream = this.stream;
    if (stream === null || this.closed) throw new Error('RecordingWriter: not open');
    if (this.failure !== null) throw this.failure;
    // `once` rejects if the stream errors while we wait for it to drain.
    if (!stream.write(text)) await once(stream, 'drain');
  }
}
