/**
 * The recording worker: the page posts a recording's bytes in order (`IndexRequest`); the worker
 * validates every line and posts back its text in chunks with their columns, the reducer's
 * models every few thousand events and the numbers (`RecordingIndexer`). The page never parses
 * the whole file, and its thread stays free to read the next bytes while these are decoded.
 */
import { type IndexMessage, type IndexRequest, indexRequests } from '../model/index-protocol';

/** A dedicated worker's global scope, as far as this file uses it. */
interface WorkerScope {
  onmessage: ((e: MessageEvent<IndexRequest>) => void) | null;
  postMessage(message: IndexMessage, transfer: ArrayBuffer[]): void;
}

const scope = self as unknown as WorkerScope;
const handle = indexRequests((m, transfer) => scope.postMessage(m, transfer));

scope.onmessage = (e) => {
  try {
    handle(e.data);
  } catch (err) {
    scope.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) }, []);
  }
};
// The page keeps a worker ready for the next recording: this says it loaded.
scope.postMessage({ type: 'ready' }, []);
