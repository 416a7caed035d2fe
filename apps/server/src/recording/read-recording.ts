/**
 * Streams a recording file through `RecordingDecoder` in bounded memory (one read chunk, one
 * line and one batch at a time), so multi-gigabyte recordings can be validated, summarised and
 * exported. Callbacks may return a promise: reading waits for it (backpressure for writers).
 */
import { createReadStream } from 'node:fs';
import { RecordingDecoder, type TraceDecodeError, type TraceEvent, type TraceHeader } from '@loopscope/trace';

/** Callbacks and options of `readRecording`. */
export interface ReadRecordingOptions {
  /** Called once with the validated header. */
  onHeader?: (header: TraceHeader) => void | Promise<void>;
  /** Called with validated events in order, in batches; reading waits for a returned promise. */
  onEvents?: (batch: TraceEvent[]) => void | Promise<void>;
  /** Stop at the first error and return it (with everything before it delivered) instead of throwing. */
  tolerant?: boolean;
  /** Longest accepted line in bytes (default 1 MiB). */
  maxLineBytes?: number;
  /** Name used in error messages (`name:12: ...`); default: the path. */
  source?: string;
  /** Bytes per read (default 1 MiB). */
  chunkBytes?: number;
}

/** What `readRecording` resolves to. */
export interface ReadRecordingResult {
  header: TraceHeader | null;
  /** Events decoded (and delivered). */
  events: number;
  /** Whether the recording ended with an `end` event. */
  complete: boolean;
  /** Tolerant mode: the error that stopped decoding, else null. */
  error: TraceDecodeError | null;
  /** Bytes read from the file. */
  bytes: number;
}

/**
 * Reads and decodes a recording file.
 * @throws TraceDecodeError on a bad recording (strict mode), or the file system's error
 */
export async function readRecording(
  path: string,
  options: ReadRecordingOptions = {},
): Promise<ReadRecordingResult> {
  let waits: Promise<void>[] = [];
  const track = (r: void | Promise<void>): void => {
    if (r instanceof Promise) waits.push(r);
  };
  const decoder = new RecordingDecoder({
    tolerant: options.tolerant === true,
    maxLineBytes: options.maxLineBytes,
    source: options.source ?? path,
    onHeader: (h) => track(options.onHeader?.(h)),
    onEvents: (b) => track(options.onEvents?.(b)),
  });
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1024 * 1024 });
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      decoder.push(chunk);
      if (waits.length > 0) {
        const pending = waits;
        waits = [];
        await Promise.all(pending);
      }
      // Tolerant mode stopped at an error: the rest of the file cannot change the answer.
      if (decoder.error !== null) break;
    }
  } finally {
    stream.destroy();
  }
  const error = decoder.end();
  await Promise.all(waits);
  return { header: decoder.header, events: decoder.events, complete: decoder.complete, error, bytes };
}
