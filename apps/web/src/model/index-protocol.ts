/**
 * What the page and the recording worker say to each other: the page sends a recording's bytes
 * in order (`IndexRequest`), the worker answers with what `RecordingIndexer` finds
 * (`IndexMessage`). `indexRequests` is the worker's side, also used in the page where no worker
 * can run.
 */
import type { TraceHeader, TraceStats } from '@loopscope/trace';
import { type EventPlace, type HeadState, type IndexDone, RecordingIndexer } from './recording-index';
import type { TextChunk } from './trace-buffer';
import type { Model } from './types';

/** What the recording worker posts to the page. */
export type IndexMessage =
  /** The worker runs (a worker kept ready for the next recording says so). */
  | { type: 'ready' }
  | { type: 'header'; header: TraceHeader }
  /** `read`: bytes of the input indexed so far. */
  | { type: 'chunk'; chunk: TextChunk; stats: TraceStats | null; read: number }
  | { type: 'snapshot'; at: number; model: Model }
  | { type: 'done'; done: IndexDone }
  | { type: 'handoff'; state: HeadState }
  /** Tail part: where it starts (null: it has no valid event). */
  | { type: 'tail-first'; first: EventPlace | null }
  | { type: 'failed'; message: string };

/** What the page posts to the recording worker. */
export type IndexRequest =
  /** A new recording (`tail`: the lines after a line boundary of one). */
  | { type: 'start'; label: string; part: 'whole' | 'tail' }
  | { type: 'bytes'; bytes: ArrayBuffer }
  | { type: 'end' }
  /** Head part: post the state after the events so far. */
  | { type: 'handoff' }
  /** Tail part: count and reduce from the head's state; `afterLine`: the lines before the tail. */
  | { type: 'resume'; state: HeadState; afterLine: number };

/** The worker's side: handles each request, posting what the indexer finds through `post`. */
export function indexRequests(
  post: (m: IndexMessage, transfer: ArrayBuffer[]) => void,
): (request: IndexRequest) => void {
  let indexer: RecordingIndexer | null = null;
  return (m) => {
    switch (m.type) {
      case 'start': {
        const ix: RecordingIndexer = new RecordingIndexer(
          {
            header: (header) => post({ type: 'header', header }, []),
            chunk: (chunk, stats, transfer) => post({ type: 'chunk', chunk, stats, read: ix.read }, transfer),
            snapshot: (at, model) => post({ type: 'snapshot', at, model }, []),
            done: (done) => post({ type: 'done', done }, []),
            tailFirst: (first) => post({ type: 'tail-first', first }, []),
          },
          { source: m.label, part: m.part },
        );
        indexer = ix;
        break;
      }
      case 'bytes':
        indexer?.push(new Uint8Array(m.bytes));
        break;
      case 'end':
        indexer?.end();
        break;
      case 'handoff':
        if (indexer) post({ type: 'handoff', state: indexer.handoff() }, []);
        break;
      case 'resume':
        indexer?.resume(m.state, m.afterLine);
        break;
    }
  };
}
