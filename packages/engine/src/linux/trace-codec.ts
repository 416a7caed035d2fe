/**
 * The binary record of one `TraceEventDraft`, laid out by the field order of `SCHEMA`.
 *
 * Record: `int32 length` (bytes, a multiple of 8, header included), `int32 kind index`
 * (`EVENT_KINDS` order), `float64 t`, `int32 loop`, then each field in schema order:
 * numbers (`int`, `uint`, `int?`, `uint?`, each element of `ints`) as an int32 when they fit one,
 * else the marker `FLOAT` then a float64 (safe integers exceed int32; `NULL` marks null), `bool`
 * and enums (the value's index) as int32, `str`/`str?` as `int32 byte length` (-1 = null, <= -2
 * one of `KNOWN_STRS`) then UTF-8 bytes padded to a multiple of 4, `ints` as `int32 count` then
 * its numbers. Little-endian (the writer uses typed arrays, in the platform's order: x86_64 and
 * arm64 are both little-endian). Small numbers keep records
 * short: every byte a loop writes has to travel to the thread that drains the ring (an echo
 * request's 7 records went from 7.5 to about 4.5 cache lines).
 * Strings longer than `MAX_STR_BYTES` are cut there (a trace string never comes near it).
 */
import { EVENT_KINDS, type FieldSpec, SCHEMA, type TraceEventDraft } from '@loopscope/trace';
import type { HotTracer } from '../core/loop-types';

export const MAX_STR_BYTES = 64 * 1024;
/**
 * Strings written as a code instead of their bytes (`-2 - index` in the length slot): the
 * syscall names of reads and writes and the usual errno names, which come with every request.
 */
const KNOWN_STRS = ['read', 'write', 'recvfrom', 'sendto', 'EAGAIN', 'ECONNRESET', 'EPIPE', 'EBADF'];
/** A number that does not fit an int32 follows as a float64. */
const FLOAT = -2147483648;
/** A null number. */
const NULL = -2147483647;
/** Source of a statement reading the number at `o` into the variable `v` (and advancing `o`). */
const getNum = (v: string, nullable: boolean) =>
  `${v} = view.getInt32(o, true); o += 4; ` +
  `if (${v} === ${FLOAT}) { ${v} = view.getFloat64(o, true); o += 8; }` +
  (nullable ? ` else if (${v} === ${NULL}) ${v} = null;` : '');
/**
 * Source of a statement writing number `v` at int32 slot `o` (and advancing `o`). A float64 after
 * the marker is 4-byte aligned only, so it goes through a scratch pair of views.
 */
const putNum = (v: string) =>
  `if ((${v} | 0) === ${v} && ${v} > ${NULL}) i32[o++] = ${v}; ` +
  `else { i32[o] = ${FLOAT}; sf[0] = ${v}; i32[o + 1] = si[0]; i32[o + 2] = si[1]; o += 3; }`;

enum Code {
  Num = 0,
  NumOrNull = 1,
  Str = 2,
  StrOrNull = 3,
  Bool = 4,
  Ints = 5,
  Enum = 6,
}

interface KindLayout {
  names: string[];
  codes: Code[];
  enums: (readonly string[] | null)[];
}

function codeOf(spec: FieldSpec): Code {
  if (typeof spec === 'object') return Code.Enum;
  if (spec === 'int' || spec === 'uint') return Code.Num;
  if (spec === 'int?' || spec === 'uint?') return Code.NumOrNull;
  if (spec === 'str') return Code.Str;
  if (spec === 'str?') return Code.StrOrNull;
  if (spec === 'bool') return Code.Bool;
  return Code.Ints;
}

const LAYOUTS: KindLayout[] = EVENT_KINDS.map((kind) => {
  const specs = Object.entries(SCHEMA[kind] as Record<string, FieldSpec>);
  return {
    names: specs.map(([n]) => n),
    codes: specs.map(([, s]) => codeOf(s)),
    enums: specs.map(([, s]) => (typeof s === 'object' ? s.enum : null)),
  };
});

/**
 * Writes `s` with its length in int32 slot `o` and its bytes from the next slot on, padded to a
 * multiple of 4; returns the slot after it. Null is the length -1.
 */
function writeStr(bytes: Uint8Array, i32: Int32Array, o: number, s: string | null): number {
  if (s === null || s === undefined) {
    i32[o] = -1;
    return o + 1;
  }
  const at = (o + 1) << 2;
  const len = s.length;
  let ascii = true;
  for (let i = 0; i < len; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 0x80) {
      ascii = false;
      break;
    }
    bytes[at + i] = ch;
  }
  let n = len;
  if (!ascii) {
    const utf8 = Buffer.from(s, 'utf8');
    n = Math.min(utf8.length, MAX_STR_BYTES);
    bytes.set(n === utf8.length ? utf8 : utf8.subarray(0, n), at);
  } else if (n > MAX_STR_BYTES) {
    n = MAX_STR_BYTES;
  }
  i32[o] = n;
  return o + 1 + ((n + 3) >> 2);
}

/**
 * Where the encoder writes: the loop's side of a trace ring (`RingWriter`). The encoder reads
 * and updates these fields itself; `reserve` handles what is rare (wrapping, waiting for room,
 * a record too large for the ring).
 */
export interface RecordTarget {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly bytes: Uint8Array;
  readonly cap: number;
  /** The largest record the fast path may write without asking `reserve`. */
  readonly maxRecord: number;
  /** Byte offset of the next record (a multiple of 8). */
  head: number;
  /** Free bytes known to be there from `head` on. */
  room: number;
  /** Makes room for a record of at most `need` bytes; returns where to write it. */
  reserve(need: number): number;
}

/**
 * The encoder's source for one kind: the statements that find room for the record, write it at
 * byte `at` (int32 slot `o` onwards) and return its length. The size bound counts UTF-8 at 3
 * bytes per UTF-16 unit. `field(name, i)` is the source of a field's value: a plain `ev.field`
 * read for the `switch` encoder, an argument for the positional ones.
 */
function generate(layout: KindLayout, kind: number, field: (name: string, i: number) => string): string {
  let fixed = 4 + 4 + 8 + 4 + 7;
  const dyn: string[] = [];
  const body: string[] = [];
  layout.names.forEach((name, i) => {
    const f = field(name, i);
    const c = layout.codes[i];
    if (c === Code.Num) body.push(`{ const v = ${f}; ${putNum('v')} }`);
    else if (c === Code.NumOrNull)
      body.push(`{ const v = ${f}; if (v === null) i32[o++] = ${NULL}; else { ${putNum('v')} } }`);
    else if (c === Code.Bool) body.push(`i32[o++] = ${f} ? 1 : 0;`);
    else if (c === Code.Enum) {
      const cases = layout.enums[i]!.map((v, k) => `v === ${JSON.stringify(v)} ? ${k} : `).join('');
      body.push(`{ const v = ${f}; i32[o++] = ${cases}-1; }`);
    } else if (c === Code.Ints) {
      body.push(`{ const a = ${f}; i32[o++] = a.length;`);
      body.push(`for (let j = 0; j < a.length; j++) { const v = a[j]; ${putNum('v')} } }`);
      dyn.push(`12 * ${f}.length`);
    } else {
      // null and the strings of a request are one int32, without a call.
      const known = KNOWN_STRS.map((k, j) => `v === ${JSON.stringify(k)} ? ${-2 - j} : `).join('');
      body.push(`{ const v = ${f}; const code = v === null ? -1 : ${known}0;`);
      body.push('if (code < 0) i32[o++] = code; else o = ws(w.bytes, i32, o, v); }');
      // UTF-8 takes at most 3 bytes per UTF-16 unit, and the padding to 4 at most 3 more.
      dyn.push(`(${f} == null ? 0 : 3 * ${f}.length + 3)`);
    }
    fixed += c === Code.Num || c === Code.NumOrNull ? 12 : 4;
  });
  return [
    `const need = ${[String(fixed), ...dyn].join(' + ')};`,
    'let at = w.head;',
    'if (need > w.room || need > w.cap - at || need > w.maxRecord) at = w.reserve(need);',
    'const i32 = w.i32;',
    `i32[(at >> 2) + 1] = ${kind};`,
    'w.f64[(at + 8) >> 3] = t;',
    'i32[(at >> 2) + 4] = loop;',
    'let o = (at >> 2) + 5;',
    ...body,
    'const len = ((o << 2) - at + 7) & ~7;',
    'i32[at >> 2] = len;',
    'const next = at + len;',
    'w.head = next === w.cap ? 0 : next;',
    'w.room -= len;',
    'return len;',
  ].join('\n');
}

/** A property read of the event object: what the `switch` encoder's cases read. */
const byName = (name: string): string => `ev[${JSON.stringify(name)}]`;

/** The scratch float64 and its two int32 halves that a float64 after the marker goes through. */
function scratch(): [Float64Array, Int32Array] {
  const sf = new Float64Array(1);
  return [sf, new Int32Array(sf.buffer)];
}

/**
 * The kinds in the order the generated `switch` tests them: the kinds of a request first (an
 * echo request is read, handler, out, ctl, write, out, ctl), then the rest in schema order.
 */
const HOT_KINDS = ['ctl', 'out', 'read', 'handler', 'write', 'wait-enter', 'wait-return'];
const SWITCH_ORDER = [...HOT_KINDS, ...EVENT_KINDS.filter((k) => !HOT_KINDS.includes(k))];

/**
 * One function for every kind, one `switch` on `ev.kind`: a string compare per case instead of
 * a lookup of the kind's coder plus a call through it (that lookup and the megamorphic calls were
 * a fifth of the tracer's cost per event in a profile). It writes through int32 and float64
 * views (records are 4-byte aligned inside, 8-byte aligned as a whole) and finds its own room,
 * so an event costs one pass over its fields.
 */
const encodeOfKind = new Function(
  'ws',
  'sf',
  'si',
  `return function encode(w, ev, t, loop) {\nswitch (ev.kind) {\n${SWITCH_ORDER.map(
    (k) =>
      `case ${JSON.stringify(k)}: {\n${generate(LAYOUTS[EVENT_KINDS.indexOf(k as never)]!, EVENT_KINDS.indexOf(k as never), byName)}\n}`,
  ).join('\n')}\n}\nreturn -1;\n};`,
)(writeStr, ...scratch()) as (w: RecordTarget, ev: unknown, t: number, loop: number) => number;

/**
 * The encoder of one kind from positional arguments: `(w, t, loop, field0, field1, ...)`, the
 * fields in `SCHEMA` order (the order of `HotTracer`'s methods). The same statements as the
 * `switch` case of the kind, reading arguments instead of properties: no event object at all.
 */
function positional<K extends keyof HotTracer>(kind: K): HotEncoders[K] {
  const k = EVENT_KINDS.indexOf(kind);
  const layout = LAYOUTS[k]!;
  if (layout.codes.includes(Code.Ints))
    throw new Error(`no positional encoder for ${kind}: it has a list field`);
  const args = layout.names.map((_, i) => `a${i}`);
  return new Function(
    'ws',
    'sf',
    'si',
    `return function encode_${kind.replace(/\W/g, '_')}(w, t, loop, ${args.join(', ')}) {\n${generate(layout, k, (_, i) => args[i]!)}\n};`,
  )(writeStr, ...scratch()) as HotEncoders[K];
}

type HotEncoders = {
  readonly [K in keyof HotTracer]: (w: RecordTarget, ...args: Parameters<HotTracer[K]>) => number;
};

/** The record of each `HotTracer` kind, from the same arguments as the `HotTracer` method. */
export const encodeHot: HotEncoders = {
  ctl: positional('ctl'),
  read: positional('read'),
  handler: positional('handler'),
  write: positional('write'),
  out: positional('out'),
};

/**
 * Encodes `ev`, stamped `t` and `loop`, as the next record of `w`; returns the record's length,
 * or -1 (nothing written) when its kind is unknown.
 */
export function encodeRecord(
  w: RecordTarget,
  ev: TraceEventDraft | { kind: string },
  t: number,
  loop: number,
): number {
  return encodeOfKind(w, ev, t, loop);
}

function readStr(view: DataView, bytes: Uint8Array, at: number, n: number): string {
  let ascii = n <= 64;
  for (let i = 0; ascii && i < n; i++) ascii = bytes[at + i]! < 0x80;
  if (ascii) {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(bytes[at + i]!);
    return s;
  }
  return Buffer.from(view.buffer, view.byteOffset + at, n).toString('utf8');
}

type Decoder = (view: DataView, bytes: Uint8Array, at: number, rs: typeof readStr) => unknown;

/** One decoder per kind: reads the fields in order and builds the event as one object literal. */
function generateDecoder(layout: KindLayout, kind: number): Decoder {
  const lines = ['let o = at + 20; let n = 0;'];
  // Keys in the recording's canonical order (seq, t, loop, kind, fields), so that once the merger
  // has numbered it the event serialises with one JSON.stringify (see `encodeEvent`).
  const props = ['seq: -1', 't: view.getFloat64(at + 8, true)', 'loop: view.getInt32(at + 16, true)'];
  props.push(`kind: ${JSON.stringify(EVENT_KINDS[kind])}`);
  layout.names.forEach((name, i) => {
    const v = `f${i}`;
    const c = layout.codes[i];
    if (c === Code.Num || c === Code.NumOrNull) lines.push(`let ${v}; ${getNum(v, c === Code.NumOrNull)}`);
    else if (c === Code.Bool) lines.push(`const ${v} = view.getInt32(o, true) !== 0; o += 4;`);
    else if (c === Code.Enum) {
      lines.push(`const ${v} = ${JSON.stringify(layout.enums[i])}[view.getInt32(o, true)]; o += 4;`);
    } else if (c === Code.Ints) {
      lines.push(`n = view.getInt32(o, true); o += 4; const ${v} = new Array(n);`);
      lines.push(`for (let j = 0; j < n; j++) { let x; ${getNum('x', false)} ${v}[j] = x; }`);
    } else {
      lines.push(
        `n = view.getInt32(o, true); o += 4; const ${v} = n === -1 ? null : n < 0 ? known[-2 - n] : rs(view, bytes, o, n);`,
      );
      lines.push('if (n > 0) o += (n + 3) & ~3;');
    }
    props.push(`${JSON.stringify(name)}: ${v}`);
  });
  lines.push(`return { ${props.join(', ')} };`);
  const decode = new Function('known', `return function (view, bytes, at, rs) {\n${lines.join('\n')}\n};`);
  return decode(KNOWN_STRS) as Decoder;
}

const DECODERS = LAYOUTS.map(generateDecoder);

/**
 * Decodes the record at `at` (its length is the record's first int32). The event carries
 * `seq: -1` as a placeholder in the first key, for the merger to number.
 */
export function decodeRecord(view: DataView, bytes: Uint8Array, at: number): TraceEventDraft {
  const kind = view.getInt32(at + 4, true);
  const dec = DECODERS[kind];
  if (!dec) throw new Error(`trace ring: corrupt record (kind ${kind})`);
  return dec(view, bytes, at, readStr) as TraceEventDraft;
}
