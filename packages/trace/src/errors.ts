/**
 * The one error type of the recording decoder and the validators. Every way a recording or a
 * socket message can be wrong maps to one `code`, a 1-based `line` and, where it applies, the
 * `field` at fault, so a user (or a test) can tell exactly what to fix.
 */

/**
 * What went wrong:
 * - `empty`: no bytes at all.
 * - `truncated`: the last line has no newline (the writer always ends lines with `\n`).
 * - `bad-json`: a line is not JSON (including an empty line).
 * - `binary`: NUL bytes or invalid UTF-8.
 * - `overlong-line`: a line longer than the decoder's limit.
 * - `bad-header`: the first line is not a recording header.
 * - `unknown-format` / `unknown-version`: the header names another format or version.
 * - `unknown-kind`: an event `kind` the schema does not know.
 * - `missing-field`: a required field is absent.
 * - `wrong-type`: a field has the wrong JSON type (a string where a number belongs).
 * - `bad-value`: right JSON type, value out of its domain (negative uint, fraction, unknown enum
 *   member, odd-length `ready`, an unknown event field).
 * - `bad-order`: `seq` does not follow the previous event by 1, `t` went back, or events follow `end`.
 */
export type TraceDecodeErrorCode =
  | 'empty'
  | 'truncated'
  | 'bad-json'
  | 'binary'
  | 'overlong-line'
  | 'bad-header'
  | 'unknown-format'
  | 'unknown-version'
  | 'unknown-kind'
  | 'missing-field'
  | 'wrong-type'
  | 'bad-value'
  | 'bad-order';

/** Every code, for tests and for UIs that explain them. */
export const TRACE_DECODE_ERROR_CODES: readonly TraceDecodeErrorCode[] = [
  'empty',
  'truncated',
  'bad-json',
  'binary',
  'overlong-line',
  'bad-header',
  'unknown-format',
  'unknown-version',
  'unknown-kind',
  'missing-field',
  'wrong-type',
  'bad-value',
  'bad-order',
];

/**
 * A recording (or a message) that cannot be decoded. The message reads
 * `line 12: field "gen": expected a non-negative integer, got "x"`, or with a `source`
 * `file.ndjson:12: field "gen": ...`.
 */
export class TraceDecodeError extends Error {
  override readonly name = 'TraceDecodeError';
  /** What went wrong (see `TraceDecodeErrorCode`). */
  readonly code: TraceDecodeErrorCode;
  /** 1-based line number of the offending line (line 1 is the header). */
  readonly line: number;
  /** The field at fault (`source.type` for nested header fields), or null. */
  readonly field: string | null;
  /** The message without its `line N:` / `file:N:` prefix. */
  readonly detail: string;
  /** The file name the recording came from, or null. */
  readonly source: string | null;

  constructor(
    code: TraceDecodeErrorCode,
    line: number,
    field: string | null,
    detail: string,
    source: string | null = null,
  ) {
    const where = source === null ? `line ${line}` : `${source}:${line}`;
    super(field === null ? `${where}: ${detail}` : `${where}: field "${field}": ${detail}`);
    this.code = code;
    this.line = line;
    this.field = field;
    this.detail = detail;
    this.source = source;
  }

  /** The same error, its message prefixed with a file name. */
  withSource(source: string | null): TraceDecodeError {
    if (source === this.source) return this;
    return new TraceDecodeError(this.code, this.line, this.field, this.detail, source);
  }
}

/** Shows a bad value in an error message, shortened so that a huge value cannot flood a terminal. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  if (text === undefined) text = typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Throws the error for a field that is absent (`missing (expected ...)`) or holds a bad value
 * (`expected ..., got ...`).
 */
export function failField(
  code: 'missing-field' | 'wrong-type' | 'bad-value',
  line: number,
  field: string,
  expected: string,
  value: unknown,
): never {
  if (value === undefined) throw new TraceDecodeError(code, line, field, `missing (expected ${expected})`);
  throw new TraceDecodeError(code, line, field, `expected ${expected}, got ${describeValue(value)}`);
}
