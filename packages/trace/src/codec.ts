/**
 * The NDJSON recording format: line 1 is the header (`TraceHeader`), every next line one
 * `TraceEvent`, each line ended by `\n`. Encoding writes fields in a fixed order (base fields,
 * `kind`, then the kind's fields in schema order) so that equal events give equal lines.
 * Decoding lives in `recording-decoder.ts` and is re-exported here.
 */
import type { TraceEvent } from './events';
import type { TraceHeader } from './header';
import { SCHEMA } from './schema';

export {
  type DecodedRecording,
  type DecoderOptions,
  decodeRecording,
  RecordingDecoder,
} from './recording-decoder';

interface EncodedField {
  /** The field's name. */
  readonly name: string;
  /** `,"name":`, precomputed. */
  readonly key: string;
}

interface EncodedKind {
  /** `,"kind":"name"`, precomputed. */
  readonly kindPart: string;
  readonly fields: readonly EncodedField[];
  /** Every key in the canonical order: seq, t, loop, kind, then the fields. */
  readonly order: readonly string[];
}

const ENCODERS = new Map<string, EncodedKind>();
for (const [kind, spec] of Object.entries(SCHEMA)) {
  const fields = Object.keys(spec).map((name) => ({ name, key: `,${JSON.stringify(name)}:` }));
  const order = ['seq', 't', 'loop', 'kind', ...fields.map((f) => f.name)];
  ENCODERS.set(kind, { kindPart: `,"kind":${JSON.stringify(kind)}`, fields, order });
}

/**
 * Whether `o` already has exactly the canonical keys in the canonical order and only values
 * JSON holds: then `JSON.stringify` gives the canonical line, flat and faster than concatenation.
 */
function isCanonical(o: Record<string, unknown>, order: readonly string[]): boolean {
  let i = 0;
  for (const k in o) {
    if (k !== order[i]) return false;
    const v = o[k];
    if (v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return false;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return false;
    i++;
  }
  return i === order.length;
}

function encodeNumber(v: number, name: string): string {
  // JSON has no NaN or Infinity: refuse them rather than write a line no decoder accepts.
  if (!Number.isFinite(v)) throw new TypeError(`cannot encode field "${name}": ${v} is not a finite number`);
  return String(v);
}

function encodeValue(v: unknown, name: string): string {
  switch (typeof v) {
    case 'number':
      return encodeNumber(v, name);
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i === 0 ? '' : ',') + encodeNumber(v[i] as number, name);
        return s + ']';
      }
      break;
  }
  throw new TypeError(`cannot encode field "${name}": ${v === undefined ? 'missing' : typeof v}`);
}

/**
 * Encodes one event as one JSON line (no newline). Only the schema's fields of its kind are
 * written, in a stable order. Does not validate values beyond refusing what JSON cannot hold.
 * @throws TypeError for an unknown kind, a missing field or a non-finite number (a producer bug).
 */
export function encodeEvent(e: TraceEvent): string {
  const enc = ENCODERS.get(e.kind);
  if (enc === undefined) throw new TypeError(`cannot encode unknown event kind ${JSON.stringify(e.kind)}`);
  const o = e as unknown as Record<string, unknown>;
  if (isCanonical(o, enc.order) && (e.kind !== 'wait-return' || e.ready.every(Number.isFinite)))
    return JSON.stringify(o);
  let s = `{"seq":${encodeNumber(e.seq, 'seq')},"t":${encodeNumber(e.t, 't')},"loop":${encodeNumber(e.loop, 'loop')}${enc.kindPart}`;
  const fields = enc.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    s += f.key + encodeValue(o[f.name], f.name);
  }
  return s + '}';
}

/** Encodes a header as one JSON line (no newline), fields in declaration order. */
export function encodeHeader(h: TraceHeader): string {
  return JSON.stringify({
    format: h.format,
    version: h.version,
    created: h.created,
    mode: h.mode,
    loops: h.loops,
    balance: h.balance,
    scenario: h.scenario === null ? null : { name: h.scenario.name, params: h.scenario.params },
    host:
      h.host === null
        ? null
        : {
            platform: h.host.platform,
            arch: h.host.arch,
            kernel: h.host.kernel,
            cpus: h.host.cpus,
            runtime: h.host.runtime,
          },
    source: { type: h.source.type, program: h.source.program, pids: h.source.pids, seed: h.source.seed },
  });
}

/** Encodes a whole recording: header line, one line per event, each ended by `\n`. */
export function encodeRecording(header: TraceHeader, events: Iterable<TraceEvent>): string {
  const parts = [encodeHeader(header)];
  for (const e of events) parts.push(encodeEvent(e));
  return parts.join('\n') + '\n';
}
