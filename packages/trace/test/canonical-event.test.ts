/**
 * The decoder's fast path (`CanonicalLineReader`): it accepts a line only when
 * `validateEvent(JSON.parse(line))` accepts it and then gives an equal event, keys in the same
 * order; it leaves every other line (not canonical, or not valid) to the usual path. And the
 * decoder's outcome (events, error and its message) is the same with it as without it: bytes go
 * through the fast path, the same text pushed as a string never does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalLineReader } from '../src/canonical-event';
import {
  decodeRecording,
  EVENT_KINDS,
  encodeEvent,
  encodeHeader,
  type FieldSpec,
  RecordingDecoder,
  SCHEMA,
  type TraceEvent,
  validateEvent,
} from '../src/index';
import { FIXTURE, HEADER, recordingText, sampleEvents } from './helpers';

const utf8 = new TextEncoder();

/** A valid event of `kind` with every field of its schema set (`variant` picks other values). */
function eventOf(kind: string, seq: number, variant: number): TraceEvent {
  const ev: Record<string, unknown> = { seq, t: seq * 1000, loop: (seq % 3) - 1, kind };
  const spec = SCHEMA[kind as keyof typeof SCHEMA] as Record<string, FieldSpec>;
  for (const [name, s] of Object.entries(spec)) {
    if (typeof s === 'object') ev[name] = s.enum[variant % s.enum.length];
    else if (s.endsWith('?') && variant % 2 === 1) ev[name] = null;
    else if (s === 'ints') ev[name] = variant % 2 === 0 ? [5, 1, 6, 4] : [];
    else if (s.startsWith('uint')) ev[name] = 7 + variant;
    else if (s.startsWith('int')) ev[name] = variant % 2 === 0 ? -3 : 123456789012345;
    else if (s.startsWith('str')) ev[name] = variant % 2 === 0 ? '127.0.0.1:40000' : '';
    else ev[name] = variant % 2 === 0;
  }
  return ev as unknown as TraceEvent;
}

/** Up to `max` edits of a text: a character set, inserted or deleted somewhere. */
const edits = (alphabet: string, max: number) =>
  fc.array(
    fc.record({
      at: fc.nat(),
      op: fc.constantFrom('set', 'insert', 'delete'),
      ch: fc.constantFrom(...alphabet),
    }),
    { minLength: 1, maxLength: max },
  );

function mutate(text: string, list: { at: number; op: string; ch: string }[]): string {
  const chars = [...text];
  for (const { at, op, ch } of list) {
    const i = at % (chars.length + 1);
    if (op === 'set' && i < chars.length) chars[i] = ch;
    else if (op === 'insert') chars.splice(i, 0, ch);
    else chars.splice(i, 1);
  }
  return chars.join('');
}

const EVERY_KIND: TraceEvent[] = EVENT_KINDS.flatMap((kind, i) => [eventOf(kind, i, 0), eventOf(kind, i, 1)]);

/** The reader's result on one line (a newline is added), and where it found the line's end. */
function read(line: string): { ev: TraceEvent | null; newline: number } {
  const bytes = utf8.encode(`${line}\n`);
  const r = new CanonicalLineReader();
  const ev = r.read(bytes, 0, bytes.length);
  return { ev, newline: r.newline };
}

/** What the usual path makes of a line: the event, or null when it throws. */
function reference(line: string): TraceEvent | null {
  try {
    return validateEvent(JSON.parse(line), 2);
  } catch {
    return null;
  }
}

describe('CanonicalLineReader', () => {
  it('reads every kind as JSON.parse and validateEvent do, keys in the same order', () => {
    for (const ev of EVERY_KIND) {
      const line = encodeEvent(ev);
      const got = read(line);
      expect(got.ev, line).not.toBeNull();
      expect(JSON.stringify(got.ev)).toBe(line);
      expect(got.ev).toEqual(reference(line));
      expect(got.newline).toBe(utf8.encode(line).length);
    }
  });

  it('reads a line among others and finds its end', () => {
    const lines = EVERY_KIND.slice(0, 5).map(encodeEvent);
    const bytes = utf8.encode(`${lines.join('\n')}\n`);
    const r = new CanonicalLineReader();
    let pos = 0;
    for (const line of lines) {
      expect(JSON.stringify(r.read(bytes, pos, bytes.length))).toBe(line);
      pos = r.newline + 1;
    }
    expect(pos).toBe(bytes.length);
  });

  const valid =
    '{"seq":3,"t":3000,"loop":-1,"kind":"read","fd":9,"gen":2,"sys":"read","max":65536,"bytes":7,"result":"data","errno":null}';
  const cases: [string, string][] = [
    ['whitespace', valid.replace(',"t":', ', "t":')],
    ['keys in another order', valid.replace('{"seq":3,"t":3000,', '{"t":3000,"seq":3,')],
    ['an escape in a string', valid.replace('"sys":"read"', '"sys":"re\\u0061d"')],
    ['non-ASCII text', valid.replace('"sys":"read"', '"sys":"réad"')],
    ['an exponent', valid.replace('"t":3000', '"t":3e3')],
    ['a fraction', valid.replace('"t":3000', '"t":3000.0')],
    ['-0', valid.replace('"loop":-1', '"loop":-0')],
    ['16 digits', valid.replace('"t":3000', '"t":1000000000000000')],
    ['a carriage return', `${valid}\r`],
    ['a space at the end', `${valid} `],
    [
      'a string longer than the fast path takes',
      `{"seq":1,"t":1,"loop":-1,"kind":"mark","text":"${'a'.repeat(5000)}"}`,
    ],
  ];
  const invalid: [string, string][] = [
    ['bad JSON', valid.replace('"fd":', '"fd":,')],
    ['a leading zero', valid.replace('"t":3000', '"t":03000')],
    ['a string for a number', valid.replace('"bytes":7', '"bytes":"7"')],
    ['a number for a string', valid.replace('"sys":"read"', '"sys":5')],
    ['null for a non-null field', valid.replace('"bytes":7', '"bytes":null')],
    ['a negative uint', valid.replace('"bytes":7', '"bytes":-7')],
    ['loop below -1', valid.replace('"loop":-1', '"loop":-2')],
    ['an unknown enum value', valid.replace('"result":"data"', '"result":"maybe"')],
    ['an unknown kind', valid.replace('"kind":"read"', '"kind":"reed"')],
    ['a missing field', valid.replace(',"errno":null', '')],
    ['an unknown field', valid.replace('}', ',"x":1}')],
    ['trailing bytes', `${valid}x`],
    ['an odd ready list', encodeEvent(eventOf('wait-return', 1, 0)).replace('[5,1,6,4]', '[5,1,6]')],
    [
      'an array element that is not an integer',
      encodeEvent(eventOf('wait-return', 1, 0)).replace('[5,1', '[5,"1"'),
    ],
    ['a bool that is not one', encodeEvent(eventOf('listener', 1, 0)).replace('true', 'yes')],
  ];

  it.each(cases)('leaves %s to the usual path, which accepts it', (_what, line) => {
    expect(reference(line)).not.toBeNull();
    expect(read(line).ev).toBeNull();
  });

  it.each(invalid)('leaves %s to the usual path, which rejects it', (_what, line) => {
    expect(reference(line)).toBeNull();
    expect(read(line).ev).toBeNull();
  });

  it('does not take a line whose newline is at or past the limit', () => {
    const bytes = utf8.encode(`${valid}\n`);
    const r = new CanonicalLineReader();
    expect(r.read(bytes, 0, bytes.length - 1)).toBeNull();
    expect(r.read(bytes.subarray(0, bytes.length - 1), 0, bytes.length - 1)).toBeNull();
  });

  it('accepts no mutation of a canonical line that the usual path would not accept the same', () => {
    const lines = EVERY_KIND.map(encodeEvent);
    const alphabet = '0123456789-+.eE,:"{}[] \\nultrfas\u00e9\t';
    const mutation = fc.record({ line: fc.constantFrom(...lines), edits: edits(alphabet, 3) });
    fc.assert(
      fc.property(mutation, ({ line, edits: list }) => {
        const text = mutate(line, list);
        const got = read(text).ev;
        if (got !== null) expect(JSON.stringify(got)).toBe(JSON.stringify(reference(text)));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('the decoder with its fast path', () => {
  /** Decodes `text` as bytes (fast path) and as a string (never the fast path): the same outcome. */
  function same(text: string): void {
    const asBytes = decodeRecording(utf8.encode(text), { tolerant: true, source: 'x.ndjson' });
    const asText = decodeRecording(text, { tolerant: true, source: 'x.ndjson' });
    expect(JSON.stringify(asBytes.events)).toBe(JSON.stringify(asText.events));
    expect(asBytes.error?.message ?? null).toBe(asText.error?.message ?? null);
    expect(asBytes.complete).toBe(asText.complete);
  }

  const header = encodeHeader(HEADER);
  const lines = EVERY_KIND.map((ev, seq) => encodeEvent({ ...ev, seq, t: seq * 10 } as TraceEvent));

  it('gives the same events and errors as the usual path', () => {
    same(FIXTURE);
    same(recordingText(sampleEvents(40)));
    same(`${header}\n${lines.join('\n')}\n`);
    // A bad line after canonical ones: the error names its line.
    for (const bad of ['{"seq":60,"t":1,"loop":0,"kind":"reed"}', '{"seq":60,', '', 'null', '[1]']) {
      same(`${header}\n${lines.join('\n')}\n${bad}\n${lines[0]}\n`);
    }
    // Out of order, though every line is canonical: the order check still runs.
    same(`${header}\n${lines[0]}\n${lines[2]}\n`);
    same(`${header}\n${lines[1]}\n`);
    // Cut off: the last line has no newline, valid JSON or not.
    same(`${header}\n${lines.slice(0, 4).join('\n')}`);
    same(`${header}\n${lines.slice(0, 4).join('\n')}\n${lines[4]!.slice(0, 20)}`);
  });

  it('gives the same outcome for mutated recordings (property)', () => {
    const base = `${header}\n${lines.join('\n')}\n`;
    const alphabet = '0123456789-.e,:"{}[] \nnultrue\u00e9';
    fc.assert(
      fc.property(edits(alphabet, 4), (list) => same(mutate(base, list))),
      { numRuns: 500 },
    );
  });

  it('hands over where each event line starts, in bytes, however the input is cut', () => {
    const text = recordingText(sampleEvents(30));
    const bytes = utf8.encode(text);
    const starts: number[] = [];
    for (let p = bytes.indexOf(10) + 1; p < bytes.length; p = bytes.indexOf(10, p) + 1) starts.push(p);
    for (const cuts of [[], [1], [100, 101, 102], [333, 900, 2000], [bytes.length - 1]]) {
      const got: number[] = [];
      const events: TraceEvent[] = [];
      const dec = new RecordingDecoder({
        lineOffsets: true,
        batchSize: 7,
        onEvents: (batch, offsets) => {
          events.push(...batch);
          got.push(...offsets!);
        },
      });
      let prev = 0;
      for (const c of [...cuts, bytes.length]) {
        dec.push(bytes.subarray(prev, c));
        prev = c;
      }
      expect(dec.end()).toBeNull();
      expect(events).toHaveLength(30);
      expect(got).toEqual(starts);
    }
  });

  it('hands over offsets in code units for text, and none unless asked', () => {
    const text = recordingText(sampleEvents(12));
    const starts: number[] = [];
    for (let p = text.indexOf('\n') + 1; p < text.length; p = text.indexOf('\n', p) + 1) starts.push(p);
    const got: number[] = [];
    const dec = new RecordingDecoder({ lineOffsets: true, onEvents: (_b, offsets) => got.push(...offsets!) });
    dec.push(text.slice(0, 500));
    dec.push(text.slice(500));
    dec.end();
    expect(got).toEqual(starts);
    const none: (number[] | null)[] = [];
    const plain = new RecordingDecoder({ onEvents: (_b, offsets) => none.push(offsets) });
    plain.push(utf8.encode(text));
    plain.end();
    expect(none).toEqual([null]);
  });
});
