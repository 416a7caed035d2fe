/**
 * The binary record of one `TraceEventDraft`, laid out by the field order of `SCHEMA`.
 *
 * Record: `int32 length` (bytes, a multiple of 8, header included), `int32 kind index`
 * (`EVENT_KINDS` order), `float64 t`, `int32 loop`, then each field in schema order:
 * numbers (`int`, `uint`, `int?`, `uint?`, each element of `ints`) as an int32 when they fit one,
 * else the marker `FLOAT` then a float64 (safe integers exceed int32; `NULL` marks null), `bool`
 * and enums (the value's index) as int32, `str`/`str?` as `int32 byte length` (-1 = null) then
 * UTF-8 bytes, `ints` as `int32 count` then its numbers. Little-endian. Small numbers keep records
 * short: every byte a loop writes has to travel to the thread that drains the ring (an echo
 * request's 7 records went from 7.5 to about 4.5 cache lines).
 * Strings longer than `MAX_STR_BYTES` are cut there (a trace string never comes near it).
 */
import { EVENT_KINDS, type FieldSpec, SCHEMA, type TraceEventDraft } from '@loopscope/trace';

export const MAX_STR_BYTES = 64 * 1024;
/** A number that does not fit an int32 follows as a float64. */
const FLOAT = -2147483648;
/** A null number. */
const NULL = -2147483647;
/** Source of a statement writing number `v` at `o` (and advancing `o`). */
const putNum = (v: string) =>
  `if ((${v} | 0) === ${v} && ${v} > ${NULL}) { view.setInt32(o, ${v}, true); o += 4; } ` +
  `else { view.setInt32(o, ${FLOAT}, true); view.setFloat64(o + 4, ${v}, true); o += 12; }`;
/** Source of a statement reading the number at `o` into the variable `v` (and advancing `o`). */
const getNum = (v: string, nullable: boolean) =>
  `${v} = view.getInt32(o, true); o += 4; ` +
  `if (${v} === ${FLOAT}) { ${v} = view.getFloat64(o, true); o += 8; }` +
  (nullable ? ` else if (${v} === ${NULL}) ${v} = null;` : '');

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

export function writeStr(view: DataView, bytes: Uint8Array, at: number, s: string | null): number {
  if (s === null || s === undefined) {
    view.setInt32(at, -1, true);
    return at + 4;
  }
  let o = at + 4;
  const len = s.length;
  let ascii = true;
  for (let i = 0; i < len; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 0x80) {
      ascii = false;
      break;
    }
    bytes[o + i] = ch;
  }
  let n = len;
  if (!ascii) {
    const utf8 = Buffer.from(s, 'utf8');
    n = Math.min(utf8.length, MAX_STR_BYTES);
    bytes.set(n === utf8.length ? utf8 : utf8.subarray(0, n), o);
  } else if (n > MAX_STR_BYTES) {
    n = MAX_STR_BYTES;
  }
  view.setInt32(at, n, true);
  o += n;
  return o;
}

/**
 * The encoder's source for one kind: the statements that write the record at `at` and return its
 * length, and an expression for an upper bound of its size (UTF-8 takes at most 3 bytes per
 * UTF-16 unit). Every property read is a plain `ev.field`.
 */
function generate(layout: KindLayout, kind: number): { enc: string; bound: string } {
  const lines: string[] = [`view.setInt32(at + 4, ${kind}, true);`, 'view.setFloat64(at + 8, t, true);'];
  lines.push('view.setInt32(at + 16, loop, true);', 'let o = at + 20;');
  let fixed = 4 + 4 + 8 + 4 + 7;
  const dyn: string[] = [];
  layout.names.forEach((name, i) => {
    const f = `ev[${JSON.stringify(name)}]`;
    const c = layout.codes[i];
    if (c === Code.Num) lines.push(`{ const v = ${f}; ${putNum('v')} }`);
    else if (c === Code.NumOrNull)
      lines.push(
        `{ const v = ${f}; if (v === null) { view.setInt32(o, ${NULL}, true); o += 4; } else { ${putNum('v')} } }`,
      );
    else if (c === Code.Bool) lines.push(`view.setInt32(o, ${f} ? 1 : 0, true); o += 4;`);
    else if (c === Code.Enum) {
      const cases = layout.enums[i]!.map((v, k) => `v === ${JSON.stringify(v)} ? ${k} : `).join('');
      lines.push(`{ const v = ${f}; view.setInt32(o, ${cases}-1, true); o += 4; }`);
    } else if (c === Code.Ints) {
      lines.push(`{ const a = ${f}; view.setInt32(o, a.length, true); o += 4;`);
      lines.push(`for (let j = 0; j < a.length; j++) { const v = a[j]; ${putNum('v')} } }`);
      dyn.push(`12 * ${f}.length`);
    } else {
      lines.push(`o = ws(view, bytes, o, ${f});`);
      dyn.push(`3 * (${f} === null ? 0 : ${f}.length)`);
    }
    fixed += c === Code.Num || c === Code.NumOrNull ? 12 : 4;
  });
  lines.push('const len = (o - at + 7) & ~7;', 'view.setInt32(at, len, true);', 'return len;');
  return { enc: lines.join('\n'), bound: [String(fixed), ...dyn].join(' + ') };
}

/**
 * The kinds in the order the generated `switch`es test them: the kinds of a request first (an
 * echo request is read, handler, out, ctl, write, out, ctl), then the rest in schema order.
 */
const HOT_KINDS = ['ctl', 'out', 'read', 'handler', 'write', 'wait-enter', 'wait-return'];
const SWITCH_ORDER = [...HOT_KINDS, ...EVENT_KINDS.filter((k) => !HOT_KINDS.includes(k))];
const SOURCES = new Map<string, { enc: string; bound: string }>(
  EVENT_KINDS.map((k, i) => [k, generate(LAYOUTS[i]!, i)]),
);

/**
 * Two functions for every kind, each one `switch` on `ev.kind`: a string compare per case
 * instead of a lookup of the kind's coder plus a call through it (that lookup and the
 * megamorphic calls were a fifth of the tracer's cost per event in a profile).
 */
const cases = (body: (k: string) => string) =>
  SWITCH_ORDER.map((k) => `case ${JSON.stringify(k)}: { ${body(k)} }`).join('\n');
const boundOfKind = new Function(
  'ev',
  `switch (ev.kind) {\n${cases((k) => `return ${SOURCES.get(k)!.bound};`)}\n}\nreturn -1;`,
) as (ev: unknown) => number;
const encodeOfKind = new Function(
  'ws',
  `return function encode(view, bytes, at, ev, t, loop) {\nswitch (ev.kind) {\n${cases((k) => SOURCES.get(k)!.enc)}\n}\nreturn -1;\n};`,
)(writeStr) as (
  view: DataView,
  bytes: Uint8Array,
  at: number,
  ev: unknown,
  t: number,
  loop: number,
) => number;

/** An upper bound of the record size of `ev`, or -1 if its kind is unknown. */
export function recordBound(ev: { kind: string }): number {
  return boundOfKind(ev);
}

/**
 * Encodes `ev`, stamped `t` and `loop`, at byte `at` of `view`/`bytes` (room for
 * `recordBound(ev)`); returns the record's length. The kind's index is at `at + 4` afterwards.
 */
export function encodeRecord(
  view: DataView,
  bytes: Uint8Array,
  at: number,
  ev: TraceEventDraft | { kind: string },
  t: number,
  loop: number,
): number {
  return encodeOfKind(view, bytes, at, ev, t, loop);
}

/** The kind of the record at `at` (its index in `EVENT_KINDS`). */
export function recordKind(view: DataView, at: number): number {
  return view.getInt32(at + 4, true);
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

type Decoder = (view: DataView, bytes: Uint8Array, at: number, rs: typeof readStr, kinds: unknown) => unknown;

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
      lines.push(`n = view.getInt32(o, true); o += 4; const ${v} = n < 0 ? null : rs(view, bytes, o, n);`);
      lines.push('if (n > 0) o += n;');
    }
    props.push(`${JSON.stringify(name)}: ${v}`);
  });
  lines.push(`return { ${props.join(', ')} };`);
  return new Function('view', 'bytes', 'at', 'rs', 'kinds', lines.join('\n')) as Decoder;
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
  return dec(view, bytes, at, readStr, EVENT_KINDS) as TraceEventDraft;
}
