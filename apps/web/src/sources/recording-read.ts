/**
 * Reads a recording and has it indexed by recording workers (`recording-worker.ts`). The page
 * reads the file's bytes, a few slices ahead, and hands them over, so reading overlaps decoding.
 * On a machine with cores to spare, a large file is indexed in two parts at once, cut at a line
 * boundary in its middle: a head worker indexes the first half as a recording; a tail worker
 * validates the second half as its continuation (from when the head's first events are out, so
 * that they show at once). Once the head is through its half, if the halves meet (the tail's
 * first event goes on from the head's last: seq one more, time not earlier, no `end` before it),
 * the tail gets the head's state and counts and reduces its events from there, those it kept and
 * the rest as they come; a bad line in the tail is then reported at its line of the whole file,
 * as a single pass would. If they do not meet, or the tail has no valid first event, the head
 * goes on through the second half itself, so that the error is the one a single pass reports.
 * Where no worker can start, the same indexer runs in the page, one slice at a time, the page
 * drawing in between.
 */
import { type IndexMessage, type IndexRequest, indexRequests } from '../model/index-protocol';
import { cloneModel } from '../model/model';
import type { EventPlace, HeadState } from '../model/recording-index';

/**
 * Bytes read first: few, so that the first events show at once (the worker indexes them before
 * its code is compiled: 256 KB showed them 0.1 s later under load).
 */
const FIRST_READ = 64 * 1024;
/**
 * Bytes read at a time after the first slice: many, as every read costs the browser and the
 * page's thread a share of its own (114 MB in 4 MB slices: 1.1 s of CPU in all; in 16 MB
 * slices: 0.8 s).
 */
const READ = 16 * 1024 * 1024;
/** Slices being read at once, per part. */
const READ_AHEAD = 2;
/** Files from this size are indexed in two parts at once (where the machine has the cores). */
const SPLIT_BYTES = 8 * 1024 * 1024;
/**
 * Cores needed for two parts: the page's own thread and both workers each need one. On 2 cores
 * the second worker costs more than it saves (a 1M-event recording: 2.3 s in two parts, 1.7 s
 * in one, 4.2 vs 3.1 s of CPU: each worker compiles the same code; see the web app's README).
 */
const SPLIT_CORES = 4;
/** Bytes looked at around the middle of a file for a line boundary. */
const SPLIT_SEARCH = 64 * 1024;

export interface Indexing {
  /** Stops reading and drops what has not been delivered. */
  cancel(): void;
}

/** Where requests go: a worker, or the indexer in the page. */
interface Channel {
  post(m: IndexRequest): void;
  stop(): void;
}

type Deliver = (m: IndexMessage) => void;

/** Indexes `blob` (named `label` in error messages); `onMessage` gets every message in order. */
export function indexRecording(blob: Blob, label: string, onMessage: Deliver): Indexing {
  let cancelled = false;
  let current: Indexing | null = null;
  splitPoint(blob).then(
    (split) => {
      if (cancelled) return;
      current =
        split === null
          ? indexWhole(blob, label, onMessage, false)
          : indexInParts(blob, label, split, onMessage);
    },
    (err: unknown) => onMessage({ type: 'failed', message: errorText(err) }),
  );
  return {
    cancel: () => {
      cancelled = true;
      current?.cancel();
    },
  };
}

/** The byte after the first newline past the middle of a large file, or null (one part). */
async function splitPoint(blob: Blob): Promise<number | null> {
  const cores = typeof navigator === 'undefined' ? 1 : (navigator.hardwareConcurrency ?? 1);
  if (blob.size < SPLIT_BYTES || cores < SPLIT_CORES || typeof Worker === 'undefined') return null;
  const mid = Math.floor(blob.size / 2);
  const near = new Uint8Array(await blob.slice(mid, mid + SPLIT_SEARCH).arrayBuffer());
  const nl = near.indexOf(10);
  return nl < 0 || mid + nl + 1 >= blob.size ? null : mid + nl + 1;
}

/** One indexer for the whole file (in a worker, else in the page). */
function indexWhole(blob: Blob, label: string, onMessage: Deliver, inPage: boolean): Indexing {
  let stopped = false;
  let heard = false;
  let retry: Indexing | null = null;
  const finish = () => {
    stopped = true;
    channel.stop();
    retry?.cancel();
  };
  const deliver: Deliver = (m) => {
    if (stopped || m.type === 'ready') return;
    if (m.type === 'failed' && !heard && !inPage) {
      // The worker never ran (its script could not load): the page reads the file itself.
      finish();
      retry = indexWhole(blob, label, onMessage, true);
      return;
    }
    heard = true;
    if (m.type === 'done' || m.type === 'failed') finish();
    onMessage(m);
  };
  const channel: Channel = (inPage ? null : openWorker(deliver)) ?? openInPage(deliver);
  channel.post({ type: 'start', label, part: 'whole' });
  readRange(blob, 0, blob.size, channel, () => stopped).then(
    () => !stopped && channel.post({ type: 'end' }),
    (err: unknown) => deliver({ type: 'failed', message: errorText(err) }),
  );
  return { cancel: finish };
}

/** A head worker for the bytes before `split`, a tail worker for the rest (see the top). */
function indexInParts(blob: Blob, label: string, split: number, onMessage: Deliver): Indexing {
  let stopped = false;
  let decided: 'parts' | 'head' | null = null;
  let headState: HeadState | null = null;
  /** The tail's first event (null: none), once known. */
  let tailFirst: EventPlace | null | undefined;
  let held: Extract<IndexMessage, { type: 'chunk' }>[] = [];
  let headRead = 0;
  let tailRead = 0;
  let restart: Indexing | null = null;
  const out: Deliver = (m) => {
    if (!stopped) onMessage(m);
  };
  const finish = () => {
    stopped = true;
    head?.stop();
    tail?.stop();
    restart?.cancel();
  };
  /** Something went wrong in a worker: index the file again, in one part. */
  const again = () => {
    if (stopped) return;
    finish();
    stopped = false;
    restart = indexWhole(blob, label, out, false);
  };
  const rebase = (m: Extract<IndexMessage, { type: 'chunk' }>): IndexMessage => ({
    ...m,
    chunk: { ...m.chunk, first: m.chunk.first + (headState?.events ?? 0) },
    read: headRead + tailRead,
  });
  const decide = () => {
    if (decided || !headState || tailFirst === undefined || !head || !tail) return;
    const h = headState.last;
    const t = tailFirst;
    const meet = t !== null && (h === null ? t.seq === 0 : !h.end && t.seq === h.seq + 1 && t.t >= h.t);
    if (meet) {
      decided = 'parts';
      head.stop();
      for (const m of held) out(rebase(m));
      held = [];
      // Every line before the tail is valid: the header and one line per event.
      tail.post({ type: 'resume', state: headState, afterLine: 1 + headState.events });
      return;
    }
    // The head reads the second half too: its decoder reports the first bad line exactly.
    decided = 'head';
    tail.stop();
    held = [];
    const h2 = head;
    readRange(blob, split, blob.size, h2, () => stopped).then(
      () => !stopped && h2.post({ type: 'end' }),
      (err: unknown) => out({ type: 'failed', message: errorText(err) }),
    );
  };
  let tailReading = false;
  /** Reads the second half once the first events are out: until then the head has the cores. */
  const readTail = () => {
    if (tailReading || stopped || !tail) return;
    tailReading = true;
    const t = tail;
    readRange(blob, split, blob.size, t, () => stopped || decided === 'head').then(
      () => !stopped && decided !== 'head' && t.post({ type: 'end' }),
      (err: unknown) => out({ type: 'failed', message: errorText(err) }),
    );
  };
  const head = openWorker((m) => {
    if (stopped || restart) return;
    switch (m.type) {
      case 'chunk':
        headRead = m.read;
        out({ ...m, read: headRead + tailRead });
        readTail();
        break;
      case 'handoff':
        headState = m.state;
        readTail();
        decide();
        break;
      case 'done':
        // A bad line in the first half, or the end of the whole file read by the head.
        finish();
        onMessage(m);
        break;
      case 'failed':
        again();
        break;
      case 'ready':
      case 'tail-first':
        break;
      default:
        out(m);
    }
  });
  const tail = openWorker((m) => {
    if (stopped || restart || decided === 'head') return;
    switch (m.type) {
      case 'chunk':
        tailRead = m.read;
        if (decided === 'parts') out(rebase(m));
        else held.push(m);
        break;
      case 'tail-first':
        tailFirst = m.first;
        decide();
        break;
      case 'done':
        finish();
        onMessage(m);
        break;
      case 'failed':
        again();
        break;
      case 'snapshot':
        out(m);
        break;
      default:
        break;
    }
  });
  if (!head || !tail) {
    head?.stop();
    tail?.stop();
    return indexWhole(blob, label, onMessage, false);
  }
  head.post({ type: 'start', label, part: 'whole' });
  tail.post({ type: 'start', label, part: 'tail' });
  readRange(blob, 0, split, head, () => stopped || decided !== null).then(
    () => !stopped && head.post({ type: 'handoff' }),
    (err: unknown) => out({ type: 'failed', message: errorText(err) }),
  );
  return { cancel: finish };
}

/** Reads bytes `from`..`to` of `blob` in order, a few slices ahead, into `channel`, until `stopped()`. */
async function readRange(
  blob: Blob,
  from: number,
  to: number,
  channel: Channel,
  stopped: () => boolean,
): Promise<void> {
  let at = from;
  const reads: Promise<ArrayBuffer>[] = [];
  const more = () => {
    if (at >= to) return;
    const end = Math.min(to, at + (at === 0 ? FIRST_READ : READ));
    reads.push(blob.slice(at, end).arrayBuffer());
    at = end;
  };
  for (let i = 0; i < READ_AHEAD; i++) more();
  while (reads.length > 0) {
    const bytes = await reads.shift()!;
    if (stopped()) {
      for (const r of reads) r.catch(() => {});
      return;
    }
    channel.post({ type: 'bytes', bytes });
    more();
  }
}

/** A worker started ahead of time, and whether it said it runs. */
let spare: { worker: Worker; ready: boolean } | null = null;

function newWorker(): Worker {
  return new Worker(new URL('./recording-worker.ts', import.meta.url), { type: 'module' });
}

/** Starts a worker for the next recording, so that opening it does not wait for one to load. */
function prewarm(): void {
  if (spare || typeof Worker === 'undefined') return;
  try {
    const s = { worker: newWorker(), ready: false };
    s.worker.onmessage = (e: MessageEvent<IndexMessage>) => {
      if (e.data.type === 'ready') s.ready = true;
    };
    s.worker.onerror = () => {
      if (spare === s) spare = null;
      s.worker.terminate();
    };
    spare = s;
  } catch {
    spare = null;
  }
}

/** A recording worker (the spare one if it runs), or null where none can start. */
function openWorker(deliver: Deliver): Channel | null {
  let worker: Worker;
  if (spare?.ready) {
    worker = spare.worker;
    spare = null;
  } else {
    try {
      worker = newWorker();
    } catch {
      return null;
    }
  }
  worker.onmessage = (e: MessageEvent<IndexMessage>) => deliver(e.data);
  worker.onerror = (e) => {
    e.preventDefault();
    deliver({ type: 'failed', message: e.message || 'the recording worker could not run' });
  };
  return {
    post: (m) => worker.postMessage(m, m.type === 'bytes' ? [m.bytes] : []),
    stop: () => {
      worker.terminate();
      prewarm();
    },
  };
}

/** The indexer in the page: each request is handled in a task of its own. */
function openInPage(deliver: Deliver): Channel {
  let stopped = false;
  let queue = Promise.resolve();
  // A worker's message is a copy; here the indexer goes on changing its model.
  const handle = indexRequests((m) =>
    deliver(m.type === 'snapshot' ? { ...m, model: cloneModel(m.model) } : m),
  );
  return {
    post: (m) => {
      queue = queue
        .then(() => new Promise<void>((r) => setTimeout(r, 0)))
        .then(() => {
          if (!stopped) handle(m);
        })
        .catch((err: unknown) => deliver({ type: 'failed', message: errorText(err) }));
    },
    stop: () => {
      stopped = true;
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
