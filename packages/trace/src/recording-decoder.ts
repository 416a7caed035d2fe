/**
 * Incremental decoder of NDJSON recordings: feed it chunks as they arrive (file reads, fetch
 * bodies, strings) and it calls back with the header and with batches of validated events.
 * Lines and multibyte UTF-8 characters may be split anywhere across chunks. Memory stays
 * bounded by one line (at most `maxLineBytes`) plus one batch. Event lines in the canonical form
 * (`encodeEvent`'s) are read straight from their bytes (`canonical-event.ts`); any other line is
 * decoded to text, parsed with `JSON.parse` and checked by `validateEvent`, which words the errors.
 */

import { CanonicalLineReader } from './canonical-event';
import { describeValue, TraceDecodeError } from './errors';
import type { TraceEvent } from './events';
import type { TraceHeader } from './header';
import { EventOrderChecker, validateEvent, validateHeader } from './validate';

/** Options and callbacks of `RecordingDecoder`. */
export interface DecoderOptions {
  /** Called once, with the validated header (line 1). */
  onHeader?: (header: TraceHeader) => void;
  /**
   * Called with validated events, in order, in batches (the arrays are the callee's to keep);
   * with `lineOffsets`, `offsets[k]` is where the line of `batch[k]` starts, else `offsets` is null.
   */
  onEvents?: (batch: TraceEvent[], offsets: number[] | null) => void;
  /**
   * Hand `onEvents` the offset of each event's line in the input: bytes (UTF-16 code units for
   * string input) before it, counted from the first chunk pushed. Default false.
   */
  lineOffsets?: boolean;
  /** Tolerant mode only: called once with the error that stopped decoding. */
  onError?: (error: TraceDecodeError) => void;
  /**
   * Stop at the first error but keep (and deliver) everything before it, and report the error
   * through `onError` and `end()` instead of throwing. Default false: throw.
   */
  tolerant?: boolean;
  /** Longest accepted line in bytes (UTF-16 code units for string input). Default 1 MiB. */
  maxLineBytes?: number;
  /** Events per `onEvents` batch at most. Default 4096. */
  batchSize?: number;
  /** File name to prefix error messages with (`file:12: ...`). */
  source?: string | null;
  /**
   * The input is the rest of a recording after its line `afterLine` (its header and the lines
   * before were decoded elsewhere): there is no header line, lines are numbered from
   * `afterLine + 1`, and the first event may have any `seq` and `t` (the events after it are
   * checked against it as usual; where the two parts meet is the caller's to check). A
   * recording can so be decoded in parts, in parallel.
   */
  continues?: { afterLine: number };
}

/** What `decodeRecording` returns. */
export interface DecodedRecording {
  /** null only in tolerant mode, when the header itself was bad. */
  header: TraceHeader | null;
  events: TraceEvent[];
  /** The error that stopped decoding (tolerant mode), else null. */
  error: TraceDecodeError | null;
  /** Whether the recording ended with an `end` event. */
  complete: boolean;
}

interface Utf8Decoder {
  decode(input: Uint8Array): string;
}
type Utf8DecoderCtor = new (label: string, options: { fatal: boolean; ignoreBOM: boolean }) => Utf8Decoder;
// TextDecoder exists in browsers and Node but not in the ES2023 lib this package compiles with.
const TextDecoderCtor = (globalThis as unknown as { TextDecoder: Utf8DecoderCtor }).TextDecoder;

const NL = 10;
/** Bytes decoded to text in one go: keeps strings well below V8's maximum length. */
const SLICE = 8 * 1024 * 1024;
/**
 * Lines taken as text at once from a line that is not in the canonical form: such a file pays
 * one decoding call per run, not per line, and a file that is canonical again past an odd line
 * goes back to the fast path soon.
 */
const TEXT_RUN = 64;

/**
 * Decodes a recording incrementally. `push()` chunks, then `end()`. In strict mode (default)
 * both throw a `TraceDecodeError` on the first problem; in tolerant mode they never throw it.
 * Events of the lines before a bad line are always delivered before the error is reported.
 */
export class RecordingDecoder {
  private readonly opts: DecoderOptions;
  private readonly tolerant: boolean;
  private readonly maxLine: number;
  private readonly batchSize: number;
  private readonly utf8: Utf8Decoder = new TextDecoderCtor('utf-8', { fatal: true, ignoreBOM: true });
  private readonly order: EventOrderChecker;
  private readonly canonical = new CanonicalLineReader();
  /** Whether the input continues a recording (no header line). */
  private readonly continues: boolean;
  /** Complete lines handled so far (with the lines before the input, for a continuation). */
  private lines = 0;
  private eventCount = 0;
  private headerValue: TraceHeader | null = null;
  private pendingText = '';
  private pendingBytes: Uint8Array[] = [];
  private pendingByteLength = 0;
  private sawInput = false;
  private batch: TraceEvent[] = [];
  /** With `lineOffsets`: where the line of each event of `batch` starts. */
  private batchOffsets: number[] | null;
  /** Input before the chunk being pushed (bytes, or code units of strings). */
  private consumed = 0;
  /** Where the pending partial line starts in the input. */
  private pendingStart = 0;
  private failure: TraceDecodeError | null = null;
  private ended = false;

  constructor(options: DecoderOptions = {}) {
    this.opts = options;
    this.tolerant = options.tolerant === true;
    this.maxLine = options.maxLineBytes ?? 1024 * 1024;
    this.batchSize = Math.max(1, options.batchSize ?? 4096);
    this.continues = options.continues !== undefined;
    this.lines = options.continues?.afterLine ?? 0;
    this.order = new EventOrderChecker(this.continues ? 'any' : 'start');
    this.batchOffsets = options.lineOffsets === true ? [] : null;
  }

  /** The header, once line 1 was decoded. */
  get header(): TraceHeader | null {
    return this.headerValue;
  }

  /** Events decoded and delivered (or about to be) so far. */
  get events(): number {
    return this.eventCount;
  }

  /** Whether an `end` event was decoded. */
  get complete(): boolean {
    return this.order.complete;
  }

  /** The error that stopped decoding, or null. */
  get error(): TraceDecodeError | null {
    return this.failure;
  }

  /**
   * Feeds the next chunk. Bytes and strings may be mixed.
   * @throws TraceDecodeError (strict mode only)
   */
  push(chunk: Uint8Array | string): void {
    if (this.ended) throw new Error('RecordingDecoder: push() after end()');
    if (this.failure !== null) {
      if (this.tolerant) return;
      throw this.failure;
    }
    try {
      const base = this.consumed;
      if (typeof chunk === 'string') this.pushText(chunk, base);
      else
        for (let off = 0; off < chunk.length; off += SLICE)
          this.pushBytes(chunk.subarray(off, off + SLICE), base + off);
      this.consumed = base + chunk.length;
      this.flush();
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * Ends the input: checks that the last line was complete and that there was any input.
   * Returns the error that stopped decoding in tolerant mode, else null.
   * @throws TraceDecodeError (strict mode only)
   */
  end(): TraceDecodeError | null {
    if (this.ended) return this.failure;
    if (this.failure === null) {
      try {
        if (this.pendingByteLength > 0 || this.pendingText.length > 0) {
          this.error_('truncated', 'the last line has no newline (the recording was cut off)');
        }
        if (!this.sawInput) this.error_('empty', 'the recording is empty');
        this.flush();
      } catch (err) {
        this.ended = true;
        this.fail(err);
      }
    }
    this.ended = true;
    if (this.failure !== null && !this.tolerant) throw this.failure;
    return this.failure;
  }

  private fail(err: unknown): void {
    if (!(err instanceof TraceDecodeError)) throw err;
    const e = err.withSource(this.opts.source ?? null);
    this.failure = e;
    // Deliver what was valid before the bad line, then report.
    this.flush();
    if (!this.tolerant) throw e;
    this.opts.onError?.(e);
  }

  private error_(code: 'truncated' | 'empty' | 'binary' | 'overlong-line', detail: string): never {
    throw new TraceDecodeError(code, this.lines + 1, null, detail);
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const b = this.batch;
    const offsets = this.batchOffsets;
    this.batch = [];
    if (offsets !== null) this.batchOffsets = [];
    this.opts.onEvents?.(b, offsets);
  }

  /** `s` starts at `base` in the input. */
  private pushText(s: string, base: number): void {
    if (s.length === 0) return;
    this.sawInput = true;
    let pos = 0;
    if (this.pendingByteLength > 0 || this.pendingText.length > 0) {
      const nl = s.indexOf('\n');
      const start = this.pendingStart;
      const head = this.takePendingText() + (nl === -1 ? s : s.slice(0, nl));
      if (nl === -1) {
        this.holdText(head, start);
        return;
      }
      this.line(head, start);
      pos = nl + 1;
    }
    for (;;) {
      const nl = s.indexOf('\n', pos);
      if (nl === -1) break;
      this.line(s.slice(pos, nl), base + pos);
      pos = nl + 1;
    }
    if (pos < s.length) this.holdText(s.slice(pos), base + pos);
  }

  /** The pending partial line as text (decoding held bytes, which must now be complete UTF-8). */
  private takePendingText(): string {
    let text = this.pendingText;
    if (this.pendingByteLength > 0) text += this.decode(concat(this.pendingBytes, this.pendingByteLength));
    this.pendingText = '';
    this.pendingBytes = [];
    this.pendingByteLength = 0;
    return text;
  }

  /** Keeps the start of a line (at `start` in the input) until its end arrives. */
  private holdText(s: string, start: number): void {
    this.pendingText = s;
    this.pendingStart = start;
    if (s.length > this.maxLine) this.overlong();
  }

  /** `b` starts at `base` in the input. */
  private pushBytes(b: Uint8Array, base: number): void {
    if (b.length === 0) return;
    this.sawInput = true;
    let start = 0;
    if (this.pendingByteLength > 0 || this.pendingText.length > 0) {
      const nl = b.indexOf(NL);
      const end = nl === -1 ? b.length : nl;
      if (this.pendingByteLength + this.pendingText.length + end > this.maxLine) this.overlong();
      this.pendingBytes.push(b.slice(0, end));
      this.pendingByteLength += end;
      if (nl === -1) return;
      const held = concat(this.pendingBytes, this.pendingByteLength);
      this.checkNul(held);
      const text = this.pendingText + this.decode(held);
      this.pendingText = '';
      this.pendingBytes = [];
      this.pendingByteLength = 0;
      this.line(text, this.pendingStart);
      start = nl + 1;
    }
    const last = b.lastIndexOf(NL);
    if (last >= start) this.region(b.subarray(start, last + 1), base + start);
    const tail = Math.max(start, last + 1);
    if (tail < b.length) {
      if (b.length - tail > this.maxLine) this.overlong();
      // Copy: the caller may reuse its buffer, and a view would pin the whole chunk.
      this.pendingBytes.push(b.slice(tail));
      this.pendingByteLength += b.length - tail;
      this.pendingStart = base + tail;
    }
  }

  /**
   * Whole lines, each ended by `\n`. An event line in the canonical form is read from its bytes
   * (`CanonicalLineReader`); any other line is taken with the lines after it, up to
   * `TEXT_RUN`, through `textRegion`.
   */
  private region(r: Uint8Array, base: number): void {
    let pos = 0;
    while (pos < r.length) {
      if (this.lines > 0 || this.continues) {
        const ev = this.canonical.read(r, pos, Math.min(r.length, pos + this.maxLine + 1));
        if (ev !== null) {
          this.event(ev, this.lines + 1, base + pos);
          pos = this.canonical.newline + 1;
          continue;
        }
      }
      let to = r.indexOf(NL, pos) + 1;
      for (let k = 1; k < TEXT_RUN && to < r.length; k++) to = r.indexOf(NL, to) + 1;
      this.textRegion(r.subarray(pos, to), base + pos);
      pos = to;
    }
  }

  /**
   * Whole lines, each ended by `\n`, as text: decoded in one call unless something is wrong.
   * `r` starts at `base` in the input.
   */
  private textRegion(r: Uint8Array, base: number): void {
    let text: string | null = null;
    if (r.indexOf(0) === -1 && (r.length <= this.maxLine || !hasLongLine(r, this.maxLine))) {
      try {
        text = this.utf8.decode(r);
      } catch {
        text = null;
      }
    }
    if (text === null) {
      // Slow path: find the exact line at fault, handling every good line before it.
      let pos = 0;
      while (pos < r.length) {
        const nl = r.indexOf(NL, pos);
        const lineBytes = r.subarray(pos, nl);
        if (lineBytes.length > this.maxLine) this.overlong();
        this.checkNul(lineBytes);
        this.line(this.decode(lineBytes), base + pos);
        pos = nl + 1;
      }
      return;
    }
    // Offsets are bytes: a line's byte start is found apart from its place in the text.
    const offsets = this.batchOffsets !== null;
    let pos = 0;
    let at = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) break;
      this.line(text.slice(pos, nl), base + at);
      pos = nl + 1;
      if (offsets) at = r.indexOf(NL, at) + 1;
    }
  }

  private checkNul(bytes: Uint8Array): void {
    const at = bytes.indexOf(0);
    if (at !== -1) this.error_('binary', `NUL byte at column ${at + 1}: this is not a text recording`);
  }

  private decode(bytes: Uint8Array): string {
    try {
      return this.utf8.decode(bytes);
    } catch {
      this.error_('binary', 'invalid UTF-8: this is not a text recording');
    }
  }

  private overlong(): never {
    this.error_('overlong-line', `line longer than ${this.maxLine} bytes`);
  }

  /** One complete line, without its `\n`, starting at `start` in the input. */
  private line(text: string, start: number): void {
    const n = this.lines + 1;
    if (text.length > this.maxLine) this.overlong();
    if (text.indexOf('\0') !== -1) this.error_('binary', 'NUL character: this is not a text recording');
    let value: unknown;
    const header = n === 1 && !this.continues;
    if (text.length === 0 || (text.length === 1 && text === '\r')) {
      if (header)
        throw new TraceDecodeError('bad-header', 1, null, 'expected a recording header, got an empty line');
      throw new TraceDecodeError('bad-json', n, null, 'empty line');
    }
    try {
      value = JSON.parse(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      // Line 1 that is not even JSON is most often another kind of file (an strace log...).
      const code = header ? 'bad-header' : 'bad-json';
      const what = header ? 'expected a recording header, got a line that is not JSON' : 'not JSON';
      throw new TraceDecodeError(code, n, null, `${what} (${describeValue(why)}): ${describeValue(text)}`);
    }
    if (header) {
      const h = validateHeader(value, 1);
      this.headerValue = h;
      this.lines = 1;
      this.opts.onHeader?.(h);
      return;
    }
    this.event(validateEvent(value, n), n, start);
  }

  /** Takes the valid event of line `n` (at `start` in the input): checks its order, then batches it. */
  private event(ev: TraceEvent, n: number, start: number): void {
    this.order.check(ev, n);
    this.lines = n;
    this.eventCount++;
    this.batch.push(ev);
    this.batchOffsets?.push(start);
    if (this.batch.length >= this.batchSize) this.flush();
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(length);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function hasLongLine(r: Uint8Array, max: number): boolean {
  let pos = 0;
  while (pos < r.length) {
    let nl = r.indexOf(NL, pos);
    if (nl === -1) nl = r.length;
    if (nl - pos > max) return true;
    pos = nl + 1;
  }
  return false;
}

/**
 * Decodes a whole recording held in memory. Strict mode throws the first `TraceDecodeError`;
 * tolerant mode returns what was valid before it, with `error` set.
 */
export function decodeRecording(
  input: string | Uint8Array,
  options: Pick<DecoderOptions, 'tolerant' | 'maxLineBytes' | 'source'> = {},
): DecodedRecording {
  const events: TraceEvent[] = [];
  const dec = new RecordingDecoder({
    ...options,
    batchSize: 65536,
    onEvents: (batch) => {
      for (let i = 0; i < batch.length; i++) events.push(batch[i]!);
    },
  });
  dec.push(input);
  const error = dec.end();
  return { header: dec.header, events, error, complete: dec.complete };
}
