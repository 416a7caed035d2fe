/**
 * Where a run's events go on disk: every event, whatever the live view dropped. Writes go
 * through `RecordingWriter` (which honours the file's backpressure) in order, without ever
 * making the engine wait. The file is written under a temporary name and renamed when complete,
 * so a listed recording is whole.
 */
import { rename, unlink } from 'node:fs/promises';
import type { TraceEvent, TraceHeader } from '@loopscope/trace';
import { RecordingWriter } from '../recording/index';

/** A recording being written. */
export interface RecordSink {
  /** Queues events (numbered, in order) for the file; never waits. */
  write(events: readonly TraceEvent[]): void;
  /** Writes what is queued, closes and publishes the file under its final name. */
  close(): Promise<void>;
}

/** Opens `path` (written as `path.partial` until closed) and writes the header line. */
export async function openRecordSink(path: string, header: TraceHeader): Promise<RecordSink> {
  const partial = `${path}.partial`;
  const writer = new RecordingWriter();
  await writer.open(partial, header);
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  return {
    write(events) {
      // Writes are chained so they reach the file in seq order, each after the stream drained.
      chain = chain
        .then(() => (failure === null ? writer.write(events) : undefined))
        .catch((err: unknown) => {
          failure ??= err;
        });
    },
    async close() {
      await chain;
      await writer.close().catch((err: unknown) => {
        failure ??= err;
      });
      if (failure !== null) {
        await unlink(partial).catch(() => undefined);
        const why = failure instanceof Error ? failure.message : String(failure);
        throw new Error(`recording ${path} could not be written: ${why}`);
      }
      await rename(partial, path);
    },
  };
}
