/**
 * Runtime validation of anything that comes from outside (recording files, socket messages),
 * driven by `SCHEMA`. Written by hand for speed: it runs on every event of million-event files
 * in the browser, so the schema is compiled once into flat tables and checking an event
 * allocates nothing unless it fails.
 *
 * Code rule: `missing-field` when absent, `wrong-type` when the JSON type is wrong, `bad-value`
 * when the type is right but the value is out of its domain (fraction, negative uint, unknown
 * enum member, odd-length `ready`, an unknown event field).
 */

import { describeValue, failField as fail, TraceDecodeError } from './errors';
import type { TraceEvent } from './events';
import { FIELD_TYPE, type FieldSpec, fieldTypeOf, SCHEMA } from './schema';

const { INT, UINT, STR, BOOL, INTS, ENUM } = FIELD_TYPE;

interface CompiledField {
  readonly name: string;
  readonly type: number;
  readonly nullable: boolean;
  readonly values: ReadonlySet<string> | null;
  /** Text for error messages, e.g. `a non-negative integer or null`. */
  readonly expected: string;
}

interface CompiledKind {
  readonly fields: readonly CompiledField[];
  /** Own keys a valid event of this kind has: seq, t, loop, kind and the fields. */
  readonly keyCount: number;
  readonly allowed: ReadonlySet<string>;
}

const EXPECTED = ['an integer', 'a non-negative integer', 'a string', 'a boolean', 'an array of integers'];

function compileField(name: string, spec: FieldSpec): CompiledField {
  if (typeof spec === 'object') {
    const expected = `one of ${spec.enum.map((v) => `"${v}"`).join(', ')}`;
    return { name, type: ENUM, nullable: false, values: new Set(spec.enum), expected };
  }
  const { type, nullable } = fieldTypeOf(spec);
  const expected = EXPECTED[type] + (nullable ? ' or null' : '');
  return { name, type, nullable, values: null, expected };
}

const KINDS = new Map<string, CompiledKind>();
for (const [kind, spec] of Object.entries(SCHEMA)) {
  const fields = Object.entries(spec as Record<string, FieldSpec>).map(([n, s]) => compileField(n, s));
  const allowed = new Set(['seq', 't', 'loop', 'kind', ...fields.map((f) => f.name)]);
  KINDS.set(kind, { fields, keyCount: allowed.size, allowed });
}

/** Checks one value against a compiled field; throws on the first problem. */
function checkField(f: CompiledField, v: unknown, line: number): void {
  if (v === undefined) fail('missing-field', line, f.name, f.expected, v);
  if (v === null) {
    if (f.nullable) return;
    fail('wrong-type', line, f.name, f.expected, v);
  }
  switch (f.type) {
    case INT:
    case UINT:
      if (typeof v !== 'number') fail('wrong-type', line, f.name, f.expected, v);
      if (!Number.isSafeInteger(v) || (f.type === UINT && v < 0))
        fail('bad-value', line, f.name, f.expected, v);
      return;
    case STR:
      if (typeof v !== 'string') fail('wrong-type', line, f.name, f.expected, v);
      return;
    case BOOL:
      if (typeof v !== 'boolean') fail('wrong-type', line, f.name, f.expected, v);
      return;
    case INTS:
      checkInts(f.name, v, line);
      return;
    default:
      if (typeof v !== 'string') fail('wrong-type', line, f.name, f.expected, v);
      if (!f.values!.has(v)) fail('bad-value', line, f.name, f.expected, v);
  }
}

function checkInts(name: string, v: unknown, line: number): void {
  if (!Array.isArray(v)) fail('wrong-type', line, name, 'an array of integers', v);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number') fail('wrong-type', line, `${name}[${i}]`, 'an integer', x);
    if (!Number.isSafeInteger(x)) fail('bad-value', line, `${name}[${i}]`, 'an integer', x);
  }
}

/**
 * Checks that `value` is a well-formed event of a known kind (base fields, every field of its
 * kind with the right type, enums, an even-length `ready` list, no unknown fields) and returns
 * it typed. Does not copy. Order across events is `EventOrderChecker`'s job.
 * @throws TraceDecodeError
 */
export function validateEvent(value: unknown, line: number): TraceEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TraceDecodeError(
      'wrong-type',
      line,
      null,
      `expected an event object, got ${describeValue(value)}`,
    );
  }
  const o = value as Record<string, unknown>;
  const kind = o.kind;
  if (typeof kind !== 'string')
    fail(kind === undefined ? 'missing-field' : 'wrong-type', line, 'kind', 'a string', kind);
  const spec = KINDS.get(kind);
  if (spec === undefined)
    throw new TraceDecodeError('unknown-kind', line, 'kind', `unknown event kind ${describeValue(kind)}`);
  const { seq, t, loop } = o;
  if (typeof seq !== 'number')
    fail(seq === undefined ? 'missing-field' : 'wrong-type', line, 'seq', EXPECTED[UINT]!, seq);
  if (!Number.isSafeInteger(seq) || seq < 0) fail('bad-value', line, 'seq', EXPECTED[UINT]!, seq);
  if (typeof t !== 'number')
    fail(t === undefined ? 'missing-field' : 'wrong-type', line, 't', EXPECTED[UINT]!, t);
  if (!Number.isSafeInteger(t) || t < 0) fail('bad-value', line, 't', EXPECTED[UINT]!, t);
  if (typeof loop !== 'number')
    fail(loop === undefined ? 'missing-field' : 'wrong-type', line, 'loop', 'an integer >= -1', loop);
  if (!Number.isSafeInteger(loop) || loop < -1) fail('bad-value', line, 'loop', 'an integer >= -1', loop);
  const fields = spec.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    checkField(f, o[f.name], line);
  }
  let keys = 0;
  for (const _ in o) keys++;
  if (keys !== spec.keyCount) {
    for (const k of Object.keys(o)) {
      if (!spec.allowed.has(k))
        throw new TraceDecodeError('bad-value', line, k, `unknown field for kind "${kind}"`);
    }
  }
  // The ready list is flattened [fd, mask] pairs: an odd length means a torn pair.
  if (kind === 'wait-return' && (o.ready as number[]).length % 2 !== 0) {
    fail('bad-value', line, 'ready', 'an even number of entries ([fd, mask] pairs)', o.ready);
  }
  return value as TraceEvent;
}

/**
 * Checks the order of a stream of events: the first `seq` is 0 and each next one is the
 * previous + 1, `t` never decreases (loops are merged by time), nothing follows `end`, and
 * `end.events` counts the events before it.
 */
export class EventOrderChecker {
  private nextSeq = 0;
  private lastT = 0;
  private ended = false;
  /** Whether the next event starts the run (its `seq` and `t` are taken as they are). */
  private starting: boolean;

  /**
   * @param from `'start'`: the events of a whole recording, from seq 0; `'any'`: a later part of
   *   one, whose first event may have any `seq` and `t` (where it meets the part before it is
   *   checked by whoever split the recording).
   */
  constructor(from: 'start' | 'any' = 'start') {
    this.starting = from === 'any';
  }

  /** Whether an `end` event was seen. */
  get complete(): boolean {
    return this.ended;
  }

  /** @throws TraceDecodeError with code `bad-order` (or `bad-value` for a wrong `end.events`). */
  check(ev: TraceEvent, line: number): void {
    if (this.ended) throw new TraceDecodeError('bad-order', line, null, `event after "end" (seq ${ev.seq})`);
    if (this.starting) {
      this.starting = false;
      this.nextSeq = ev.seq;
      this.lastT = ev.t;
    }
    if (ev.seq !== this.nextSeq) {
      throw new TraceDecodeError('bad-order', line, 'seq', `expected ${this.nextSeq}, got ${ev.seq}`);
    }
    if (ev.t < this.lastT) {
      throw new TraceDecodeError('bad-order', line, 't', `time went back from ${this.lastT} to ${ev.t}`);
    }
    if (ev.kind === 'end') {
      if (ev.events !== ev.seq)
        fail('bad-value', line, 'events', `${ev.seq} (the events before "end")`, ev.events);
      this.ended = true;
    }
    this.nextSeq = ev.seq + 1;
    this.lastT = ev.t;
  }
}

export { validateHeader } from './validate-header';
