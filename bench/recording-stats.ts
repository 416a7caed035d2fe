/**
 * The trace stats of one recording, streamed: the file is decoded chunk by chunk and every event
 * goes through `StatsAccumulator`, the accumulator `computeStats` itself uses (same numbers),
 * so a recording of a few million events never sits in memory.
 */
import { createReadStream } from 'node:fs';
import { RecordingDecoder, StatsAccumulator, type TraceStats } from '../packages/trace/src/index';

/** Stats of the recording at `path` (the header's loop count included). */
export async function recordingStats(path: string): Promise<TraceStats> {
  let acc: StatsAccumulator | null = null;
  const dec = new RecordingDecoder({
    source: path,
    onHeader: (h) => {
      acc = new StatsAccumulator(h);
    },
    onEvents: (batch) => {
      acc ??= new StatsAccumulator(null);
      for (const ev of batch) acc.add(ev);
    },
  });
  for await (const chunk of createReadStream(path)) dec.push(chunk as Buffer);
  dec.end();
  return (acc ?? new StatsAccumulator(null)).result();
}
