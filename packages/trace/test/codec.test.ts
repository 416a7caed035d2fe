import { describe, expect, it } from 'vitest';
import {
  decodeRecording,
  encodeEvent,
  encodeHeader,
  encodeRecording,
  RecordingDecoder,
  type TraceDecodeError,
  type TraceEvent,
  type TraceHeader,
} from '../src/index';
import { FIXTURE, fixtureWithLine, HEADER, recordingText, sampleEvents } from './helpers';

/** Feeds `bytes` in pieces cut at `cuts` and collects the result. */
function decodeInPieces(input: Uint8Array | string, cuts: number[], opts: { tolerant?: boolean } = {}) {
  let header: TraceHeader | null = null;
  const events: TraceEvent[] = [];
  let batches = 0;
  const dec = new RecordingDecoder({
    ...opts,
    batchSize: 7,
    onHeader: (h) => {
      header = h;
    },
    onEvents: (b) => {
      batches++;
      events.push(...b);
    },
  });
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    dec.push(input.slice(prev, c));
    prev = c;
  }
  const error = dec.end();
  return { header, events, error, batches };
}

describe('encode', () => {
  it('writes fields in a stable order whatever the object order', () => {
    const a: TraceEvent = {
      kind: 'read',
      errno: null,
      result: 'data',
      bytes: 3,
      max: 10,
      sys: 'read',
      gen: 1,
      fd: 4,
      loop: 0,
      t: 5,
      seq: 0,
    };
    expect(encodeEvent(a)).toBe(
      '{"seq":0,"t":5,"loop":0,"kind":"read","fd":4,"gen":1,"sys":"read","max":10,"bytes":3,"result":"data","errno":null}',
    );
  });

  it('drops fields the schema does not know and refuses what JSON cannot hold', () => {
    const ev = { seq: 0, t: 0, loop: -1, kind: 'mark', text: 'x', junk: 1 } as TraceEvent;
    expect(encodeEvent(ev)).toBe('{"seq":0,"t":0,"loop":-1,"kind":"mark","text":"x"}');
    expect(() => encodeEvent({ seq: 0, t: Number.NaN, loop: 0, kind: 'mark', text: '' })).toThrow(
      /not a finite number/,
    );
    expect(() => encodeEvent({ seq: 0, t: 0, loop: 0, kind: 'mark' } as TraceEvent)).toThrow(/missing/);
  });

  it('round-trips header and events through text and bytes', () => {
    const events = sampleEvents(500);
    const text = encodeRecording(HEADER, events);
    for (const input of [text, new TextEncoder().encode(text)]) {
      const r = decodeRecording(input);
      expect(r.header).toEqual(HEADER);
      expect(r.events).toEqual(events);
      expect(r.error).toBeNull();
    }
    expect(encodeHeader(decodeRecording(text).header!)).toBe(encodeHeader(HEADER));
  });

  it('re-encoding the fixture gives the fixture back byte for byte', () => {
    const r = decodeRecording(FIXTURE);
    expect(encodeRecording(r.header!, r.events)).toBe(FIXTURE);
  });
});

describe('RecordingDecoder chunking', () => {
  const events = sampleEvents(12);
  const text = recordingText(events);
  const bytes = new TextEncoder().encode(text);

  it('gives the same result for every single split point of the bytes (multibyte chars included)', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const r = decodeInPieces(bytes, [cut]);
      expect(r.error).toBeNull();
      expect(r.events).toEqual(events);
    }
  });

  it('decodes byte by byte and character by character', () => {
    const all = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(decodeInPieces(bytes, all).events).toEqual(events);
    const chars = Array.from({ length: text.length - 1 }, (_, i) => i + 1);
    expect(decodeInPieces(text, chars).events).toEqual(events);
  });

  it('accepts strings and bytes mixed', () => {
    const half = text.indexOf('überprüfen') + 3;
    const dec = new RecordingDecoder({ onEvents: (b) => got.push(...b) });
    const got: TraceEvent[] = [];
    dec.push(text.slice(0, half));
    dec.push(new TextEncoder().encode(text.slice(half)));
    expect(dec.end()).toBeNull();
    expect(got).toEqual(events);
  });

  it('delivers events in batches of at most batchSize', () => {
    const r = decodeInPieces(bytes, []);
    expect(r.batches).toBe(2);
  });
});

describe('tolerant mode', () => {
  it('keeps everything before the bad line and reports the error', () => {
    const bad = fixtureWithLine(20, '{"seq":18,"t":"later"');
    const errors: TraceDecodeError[] = [];
    const events: TraceEvent[] = [];
    const dec = new RecordingDecoder({
      tolerant: true,
      onEvents: (b) => events.push(...b),
      onError: (e) => errors.push(e),
    });
    dec.push(bad);
    const err = dec.end();
    expect(err?.code).toBe('bad-json');
    expect(err?.line).toBe(20);
    expect(errors).toEqual([err]);
    expect(events).toHaveLength(18);
    expect(events.at(-1)?.seq).toBe(17);
    expect(dec.header?.mode).toBe('evio');
  });

  it('decodeRecording returns the valid prefix with the error', () => {
    const r = decodeRecording(FIXTURE.slice(0, -30), { tolerant: true });
    expect(r.error?.code).toBe('truncated');
    expect(r.events).toHaveLength(51);
    expect(r.complete).toBe(false);
  });

  it('strict mode throws again on any later push', () => {
    const dec = new RecordingDecoder();
    expect(() => dec.push('nope\n')).toThrow(/line 1/);
    expect(() => dec.push('{}\n')).toThrow(/line 1/);
  });
});
