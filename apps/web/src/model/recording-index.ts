/**
 * Indexes a recording as its bytes arrive: the trace package's `RecordingDecoder` validates
 * every line (the one contract: the same errors as `loopscope validate`), and for each valid
 * event this writes its columns, feeds the numbers (`StatsAccumulator`) and the reducer, whose
 * model is handed out every `snapshotEvery` events. What leaves is text and typed arrays: chunks
 * of whole lines with the offset of each line (as the decoder found them) and their columns, so
 * the page keeps no event objects. Plain code: it runs in the recording worker, in the page and
 * in tests.
 *
 * A recording can be indexed in two parts at once (two threads): the `head` part is indexed as
 * a whole recording until `handoff()` gives its state; the `tail` part (the lines after a line
 * boundary) is validated as a continuation and keeps its events until `resume()` gives it the
 * head's state, then counts and reduces them, and the ones after them as they come. Where the
 * parts meet is the caller's to check (`tailFirst` says where the tail starts).
 */
import {
  RecordingDecoder,
  StatsAccumulator,
  TraceDecodeError,
  type TraceEvent,
  type TraceHeader,
  type TraceStats,
} from '@loopscope/trace';
import { allocColumns, columnBuffers, type EventColumns, headColumns, writeColumns } from './columns';
import { SNAPSHOT_EVERY } from './cursor';
import { emptyModel } from './model';
import { applyEvent } from './reduce';
import type { TextChunk } from './trace-buffer';
import type { Model } from './types';

/** Longest line accepted (the decoder's default). */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Events between two models handed out by default. */
export const INDEX_SNAPSHOT_EVERY = 2 * SNAPSHOT_EVERY;
/**
 * Bytes handed to the decoder at a time, at most (whole lines): a region no longer than the
 * longest line cannot hold a line that is too long, which the decoder then need not look for.
 */
const DECODE_BYTES = MAX_LINE_BYTES;
/** Events the decoder hands over at a time: few, so that they are counted before they age. */
const BATCH = 1024;
/**
 * Fewer bytes than any valid event line has (`{"seq":0,"t":0,"loop":0,"kind":"end"}` and its
 * newline are 38, and every kind has a field more): a block holds at most its length / this
 * many events, which sizes its columns.
 */
const MIN_LINE_BYTES = 32;
/** How often the numbers of the events so far are handed out while reading, at most. */
const STATS_EVERY_MS = 1000;
const NL = 10;

/** How a recording stopped being valid. */
export interface IndexError {
  code: TraceDecodeError['code'];
  /** 1-based line of the recording (line 1 is the header). */
  line: number;
  message: string;
}

/** The end of a recording. */
export interface IndexDone {
  /** Valid events. */
  events: number;
  /** Whether the recording ends with an `end` event. */
  complete: boolean;
  error: IndexError | null;
  /** The numbers of the valid events (null without a valid header). */
  stats: TraceStats | null;
}

/** The state of the head part, for the tail: everything needed to go on after its last event. */
export interface HeadState {
  header: TraceHeader | null;
  events: number;
  model: Model | null;
  /** The numbers' accumulator (revived from a copy with `StatsAccumulator.revive`). */
  stats: StatsAccumulator | null;
  last: { seq: number; t: number; end: boolean } | null;
}

/** Where an event is in a recording: its `seq` and time. */
export interface EventPlace {
  seq: number;
  t: number;
}

/** What the indexer hands out: header, then chunks and models, then done. */
export interface IndexerSink {
  header(header: TraceHeader): void;
  /** `transfer`: the chunk's memory, no longer used by the indexer. */
  chunk(chunk: TextChunk, stats: TraceStats | null, transfer: ArrayBuffer[]): void;
  /** The model after `at` events. It changes after this call returns: copy it (postMessage does). */
  snapshot(at: number, model: Model): void;
  done(done: IndexDone): void;
  /**
   * Tail part: its first valid event (`null`: its input ended without one). Sent once, before
   * the tail's first chunk.
   */
  tailFirst?(first: EventPlace | null): void;
}

export interface IndexerOptions {
  /** The file name, in error messages. */
  source: string | null;
  /** `tail`: the input is the rest of a recording after a line boundary. */
  part?: 'whole' | 'tail';
  snapshotEvery?: number;
  now?: () => number;
}

export class RecordingIndexer {
  private readonly decoder: RecordingDecoder;
  private readonly tail: boolean;
  private readonly snapshotEvery: number;
  private readonly now: () => number;
  /** The bytes after the last newline, waiting for the rest of their line. */
  private carry: Uint8Array | null = null;
  private headerLineSeen: boolean;
  private header: TraceHeader | null = null;
  private events = 0;
  private stats: StatsAccumulator | null = null;
  private model: Model | null = null;
  private lastStats = 0;
  private first: TraceEvent | null = null;
  private last: TraceEvent | null = null;
  /** Tail part: its events, kept until the head's state arrives. */
  private kept: TraceEvent[] = [];
  /** Tail part: the head's state arrived; its events are counted and reduced as they come. */
  private resumed = false;
  /** Tail part: whether `tailFirst` was sent. */
  private firstSent = false;
  /** Tail part: lines of the recording before this part (known at `resume`). */
  private lineBase = 0;
  /** Tail part: the error that ended the input, reported once resumed. */
  private endError: TraceDecodeError | null = null;
  /** The block being decoded: its columns and line offsets, filled by the decoder's callback. */
  private cols: EventColumns | null = null;
  private starts: Uint32Array | null = null;
  private filled = 0;
  /** Bytes handed to the decoder before the block being decoded (its offsets count from there). */
  private blockBase = 0;
  /** Bytes handed to the decoder so far. */
  private decoded = 0;
  private finished = false;
  private received = 0;

  constructor(
    private readonly sink: IndexerSink,
    options: IndexerOptions,
  ) {
    this.tail = options.part === 'tail';
    this.headerLineSeen = this.tail;
    this.snapshotEvery = options.snapshotEvery ?? INDEX_SNAPSHOT_EVERY;
    this.now = options.now ?? (() => performance.now());
    this.decoder = new RecordingDecoder({
      tolerant: true,
      source: options.source,
      maxLineBytes: MAX_LINE_BYTES,
      batchSize: BATCH,
      lineOffsets: true,
      continues: this.tail ? { afterLine: 0 } : undefined,
      onHeader: (h) => {
        this.header = h;
        this.stats = new StatsAccumulator(h);
        this.model = emptyModel(h.loops);
        this.sink.header(h);
      },
      onEvents: (batch, offsets) => this.take(batch, offsets!),
    });
  }

  /** Whether decoding stopped at a bad line (the rest of the input is not needed). */
  get failed(): boolean {
    return this.decoder.error !== null;
  }

  /** Bytes received so far. */
  get read(): number {
    return this.received;
  }

  /**
   * The next bytes of the recording. The indexer may keep and hand out `bytes`' memory. At a
   * bad line it reports the end at once and ignores the rest.
   */
  push(bytes: Uint8Array): void {
    if (this.finished || bytes.length === 0) return;
    this.received += bytes.length;
    let rest = bytes;
    if (this.carry) {
      // The line cut at the end of the last bytes: joined with its end in a small block of its
      // own, so that `bytes` is kept as it is (copying megabytes costs time and memory).
      const nl = bytes.indexOf(NL);
      const end = nl < 0 ? bytes.length : nl + 1;
      const line = new Uint8Array(this.carry.length + end);
      line.set(this.carry);
      line.set(bytes.subarray(0, end), this.carry.length);
      this.carry = null;
      rest = bytes.subarray(end);
      if (nl < 0) this.keep(line);
      else this.lines(line);
    }
    const last = rest.lastIndexOf(NL);
    if (last < 0) {
      if (rest.length > 0 && !this.failed) this.keep(rest.slice());
    } else if (!this.failed) {
      if (last + 1 < rest.length) this.carry = rest.slice(last + 1);
      this.lines(rest.subarray(0, last + 1));
    }
    if (this.failed) this.end();
  }

  /** Keeps bytes without a newline for the next push; a line this long is an error, named by the decoder. */
  private keep(partial: Uint8Array): void {
    this.carry = partial;
    if (partial.length > MAX_LINE_BYTES) this.flushCarry();
  }

  /**
   * The end of the input: reports a cut-off last line, an empty input, and the numbers. A tail
   * part that has not the head's state yet reports the end once it has (`resume`).
   */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.flushCarry();
    this.endError = this.decoder.end();
    if (this.tail && !this.firstSent) {
      this.firstSent = true;
      this.sink.tailFirst?.(null);
    }
    if (!this.tail || this.resumed) this.reportDone();
  }

  private reportDone(): void {
    const e = this.endError;
    // A tail numbers its lines from its own start: the recording's line is `lineBase` further.
    const err =
      e && this.tail ? new TraceDecodeError(e.code, e.line + this.lineBase, e.field, e.detail, e.source) : e;
    this.sink.done({
      // A tail's model has the head's events and its own.
      events: this.tail ? (this.model?.applied ?? this.events) : this.events,
      complete: this.decoder.complete,
      error: err ? { code: err.code, line: err.line, message: err.message } : null,
      stats: this.stats?.result() ?? null,
    });
  }

  /** Head part: its state after the events so far (the indexer can go on after this). */
  handoff(): HeadState {
    const l = this.last;
    return {
      header: this.header,
      events: this.events,
      model: this.model,
      stats: this.stats,
      last: l ? { seq: l.seq, t: l.t, end: l.kind === 'end' } : null,
    };
  }

  /**
   * Tail part: the head's state (its model and accumulator, copies) and the lines before this
   * part. Counts and reduces the events kept so far, handing out the models on the way, and the
   * later ones as they come; reports the end (`done`, the error's line in the whole recording)
   * when the input has ended.
   */
  resume(head: HeadState, afterLine: number): void {
    if (!this.tail || this.resumed) return;
    this.resumed = true;
    this.lineBase = afterLine;
    this.model = head.model ?? emptyModel(head.header?.loops ?? 0);
    this.stats = head.stats ? StatsAccumulator.revive(head.stats) : new StatsAccumulator(head.header);
    const kept = this.kept;
    this.kept = [];
    this.count(kept);
    if (this.finished) this.reportDone();
  }

  /** Counts and reduces events in order, handing out the model every `snapshotEvery` events. */
  private count(events: TraceEvent[]): void {
    const model = this.model;
    const stats = this.stats;
    if (!model || !stats) throw new Error('RecordingIndexer: events before the header');
    const every = this.snapshotEvery;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      stats.add(ev);
      applyEvent(model, ev);
      if (model.applied % every === 0) this.sink.snapshot(model.applied, model);
    }
  }

  /** Hands the partial line to the decoder (it reports it as cut off or too long). */
  private flushCarry(): void {
    const c = this.carry;
    this.carry = null;
    if (c && !this.failed) this.decode(c);
  }

  /** Hands bytes to the decoder, counting them: its line offsets count from its first byte. */
  private decode(bytes: Uint8Array): void {
    this.decoded += bytes.length;
    this.decoder.push(bytes);
  }

  /** Whole lines, each ended by a newline. */
  private lines(whole: Uint8Array): void {
    let pos = 0;
    if (!this.headerLineSeen) {
      // Line 1 is the header: not an event.
      this.headerLineSeen = true;
      pos = whole.indexOf(NL) + 1;
    }
    const room = Math.ceil((whole.length - pos) / MIN_LINE_BYTES);
    this.cols = allocColumns(room);
    this.starts = new Uint32Array(room + 1);
    this.filled = 0;
    this.blockBase = this.decoded;
    const first = this.events;
    for (let from = 0; from < whole.length && !this.failed; ) {
      let to = whole.length;
      if (to - from > DECODE_BYTES) {
        const nl = whole.lastIndexOf(NL, from + DECODE_BYTES - 1);
        to = nl >= from ? nl + 1 : whole.indexOf(NL, from + DECODE_BYTES) + 1;
      }
      this.decode(whole.subarray(from, to));
      from = to;
    }
    // Stopped at a bad line: the valid lines before it are kept, the offsets end where it starts.
    const n = this.filled;
    const cols = this.cols;
    const starts = this.starts;
    this.cols = null;
    this.starts = null;
    if (n === 0) return;
    starts[n] = whole.indexOf(NL, starts[n - 1]!) + 1;
    const now = this.now();
    let stats: TraceStats | null = null;
    if (this.stats && now - this.lastStats >= STATS_EVERY_MS) {
      this.lastStats = now;
      stats = this.stats.result();
    }
    const chunk: TextChunk = {
      first,
      bytes: whole,
      starts: starts.subarray(0, n + 1),
      columns: headColumns(cols, n),
    };
    this.sink.chunk(chunk, stats, [
      whole.buffer as ArrayBuffer,
      chunk.starts.buffer as ArrayBuffer,
      ...columnBuffers(cols),
    ]);
  }

  /** Valid events, with the offset of each one's line among the bytes handed to the decoder. */
  private take(batch: TraceEvent[], offsets: number[]): void {
    const cols = this.cols;
    const starts = this.starts;
    if (!cols || !starts) throw new Error('RecordingIndexer: events outside a block');
    if (batch.length === 0) return;
    this.first ??= batch[0]!;
    this.last = batch[batch.length - 1]!;
    this.events += batch.length;
    if (this.tail && !this.firstSent) {
      this.firstSent = true;
      this.sink.tailFirst?.({ seq: this.first.seq, t: this.first.t });
    }
    const base = this.blockBase;
    for (let i = 0; i < batch.length; i++) {
      starts[this.filled] = offsets[i]! - base;
      writeColumns(cols, this.filled++, batch[i]!);
    }
    if (this.tail && !this.resumed) {
      for (let i = 0; i < batch.length; i++) this.kept.push(batch[i]!);
      return;
    }
    this.count(batch);
  }
}
