import { describe, expect, it } from 'vitest';
import { decodeRecording, TraceDecodeError } from '../src/index';
import { FIXTURE, fixtureWithLine, HEADER, recordingText, sampleEvents } from './helpers';

/** Decodes strictly and returns the error it must throw. */
function errorOf(
  input: string | Uint8Array,
  opts: { maxLineBytes?: number; source?: string } = {},
): TraceDecodeError {
  try {
    decodeRecording(input, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(TraceDecodeError);
    return err as TraceDecodeError;
  }
  throw new Error('decodeRecording did not throw');
}

const fixtureLines = FIXTURE.split('\n');

describe('malformed recordings', () => {
  it('the fixture itself decodes', () => {
    const r = decodeRecording(FIXTURE);
    expect(r.error).toBeNull();
    expect(r.events).toHaveLength(52);
    expect(r.complete).toBe(true);
  });

  it('empty file', () => {
    const e = errorOf('');
    expect([e.code, e.line, e.field]).toEqual(['empty', 1, null]);
    expect(errorOf(new Uint8Array(0)).code).toBe('empty');
  });

  it('truncated last line', () => {
    const cut = FIXTURE.slice(0, FIXTURE.length - 10);
    const e = errorOf(cut);
    expect([e.code, e.line, e.field]).toEqual(['truncated', 53, null]);
    expect(e.message).toBe('line 53: the last line has no newline (the recording was cut off)');
  });

  it('a complete JSON last line without its newline is still truncated', () => {
    const e = errorOf(FIXTURE.slice(0, -1));
    expect([e.code, e.line]).toEqual(['truncated', 53]);
  });

  it('unknown format', () => {
    const e = errorOf(fixtureWithLine(1, fixtureLines[0]!.replace('loopscope-trace', 'other-trace')));
    expect([e.code, e.line, e.field]).toEqual(['unknown-format', 1, 'format']);
  });

  it('unknown version', () => {
    const e = errorOf(fixtureWithLine(1, fixtureLines[0]!.replace('"version":1', '"version":2')));
    expect([e.code, e.line, e.field]).toEqual(['unknown-version', 1, 'version']);
    expect(e.message).toBe('line 1: field "version": expected 1, got 2');
  });

  it('first line is not JSON (another kind of file)', () => {
    const e = errorOf('# strace -f -tt\n20913 13:02:16.372006 epoll_create1(0)  = 8\n');
    expect([e.code, e.line, e.field]).toEqual(['bad-header', 1, null]);
    expect(e.message).toMatch(/^line 1: expected a recording header, got a line that is not JSON/);
  });

  it('first line is an event, not a header', () => {
    const e = errorOf(FIXTURE.split('\n').slice(1).join('\n'));
    expect([e.code, e.line, e.field]).toEqual(['bad-header', 1, null]);
  });

  it('header with a mistyped nested field', () => {
    const e = errorOf(fixtureWithLine(1, fixtureLines[0]!.replace('"type":"hand"', '"type":7')));
    expect([e.code, e.line, e.field]).toEqual(['wrong-type', 1, 'source.type']);
  });

  it('unknown event kind', () => {
    const e = errorOf(fixtureWithLine(5, fixtureLines[4]!.replace('"kind":"ctl"', '"kind":"teleport"')));
    expect([e.code, e.line, e.field]).toEqual(['unknown-kind', 5, 'kind']);
  });

  it('missing field', () => {
    const e = errorOf(fixtureWithLine(10, fixtureLines[9]!.replace('"gen":0,', '')));
    expect([e.code, e.line, e.field]).toEqual(['missing-field', 10, 'gen']);
  });

  it('mistyped field', () => {
    const e = errorOf(fixtureWithLine(10, fixtureLines[9]!.replace('"gen":0', '"gen":"x"')));
    expect([e.code, e.line, e.field]).toEqual(['wrong-type', 10, 'gen']);
    expect(e.message).toBe('line 10: field "gen": expected a non-negative integer or null, got "x"');
  });

  it('out-of-domain values: negative uint, bad enum, odd ready list, unknown field, loop < -1', () => {
    const cases: [number, string, string, string][] = [
      [10, '"gen":0', '"gen":-1', 'gen'],
      [5, '"op":"add"', '"op":"upsert"', 'op'],
      [8, '"ready":[7,1]', '"ready":[7,1,9]', 'ready'],
      [8, '"n":1,', '"n":1,"extra":true,', 'extra'],
      [8, '"loop":0', '"loop":-2', 'loop'],
      [8, '"n":1,', '"n":1.5,', 'n'],
    ];
    for (const [line, from, to, field] of cases) {
      const e = errorOf(fixtureWithLine(line, fixtureLines[line - 1]!.replace(from, to)));
      expect([e.code, e.line, e.field]).toEqual(['bad-value', line, field]);
    }
  });

  it('overlong line', () => {
    const long = recordingText([{ seq: 0, t: 0, loop: -1, kind: 'mark', text: 'x'.repeat(5000) }]);
    const e = errorOf(long, { maxLineBytes: 4096 });
    expect([e.code, e.line]).toEqual(['overlong-line', 2]);
    const bytes = new TextEncoder().encode(long);
    expect(errorOf(bytes, { maxLineBytes: 4096 }).code).toBe('overlong-line');
    // Without a newline in sight the decoder gives up early instead of buffering forever.
    const e2 = errorOf(`${recordingText([])}${'y'.repeat(10000)}`, { maxLineBytes: 4096 });
    expect([e2.code, e2.line]).toEqual(['overlong-line', 2]);
  });

  it('binary garbage: NUL bytes', () => {
    const bytes = new TextEncoder().encode(FIXTURE);
    bytes[FIXTURE.indexOf('\n', FIXTURE.indexOf('\n') + 1) + 5] = 0;
    const e = errorOf(bytes);
    expect([e.code, e.line]).toEqual(['binary', 3]);
  });

  it('binary garbage: invalid UTF-8', () => {
    const head = new TextEncoder().encode(recordingText([]));
    const junk = Uint8Array.from([0xff, 0xfe, 0x80, 0x81, 0x0a]);
    const bytes = new Uint8Array(head.length + junk.length);
    bytes.set(head);
    bytes.set(junk, head.length);
    const e = errorOf(bytes);
    expect([e.code, e.line]).toEqual(['binary', 2]);
  });

  it('bad json', () => {
    const e = errorOf(fixtureWithLine(7, '{"seq":5,'));
    expect([e.code, e.line, e.field]).toEqual(['bad-json', 7, null]);
    expect(errorOf(fixtureWithLine(7, '')).code).toBe('bad-json');
  });

  it('bad seq order', () => {
    const e = errorOf(fixtureWithLine(7, fixtureLines[6]!.replace('"seq":5', '"seq":6')));
    expect([e.code, e.line, e.field]).toEqual(['bad-order', 7, 'seq']);
    expect(e.message).toBe('line 7: field "seq": expected 5, got 6');
  });

  it('time going back', () => {
    const events = sampleEvents(4);
    events[2] = { ...events[2]!, t: 10 };
    const e = errorOf(recordingText(events));
    expect([e.code, e.line, e.field]).toEqual(['bad-order', 4, 't']);
  });

  it('events after end, and a wrong end count', () => {
    const events = sampleEvents(3);
    const withEnd = [...events, { seq: 3, t: 3000, loop: -1, kind: 'end' as const, events: 3 }];
    const after = [...withEnd, { seq: 4, t: 4000, loop: -1, kind: 'mark' as const, text: 'late' }];
    expect(errorOf(recordingText(after)).code).toBe('bad-order');
    const wrong = [...events, { seq: 3, t: 3000, loop: -1, kind: 'end' as const, events: 9 }];
    expect([errorOf(recordingText(wrong)).code, errorOf(recordingText(wrong)).field]).toEqual([
      'bad-value',
      'events',
    ]);
  });

  it('prefixes the message with the source file name', () => {
    const e = errorOf(fixtureWithLine(10, fixtureLines[9]!.replace('"gen":0', '"gen":"x"')), {
      source: 'echo.ndjson',
    });
    expect(e.message).toBe('echo.ndjson:10: field "gen": expected a non-negative integer or null, got "x"');
    expect(e.source).toBe('echo.ndjson');
  });

  it('a header-only recording is valid but incomplete', () => {
    const r = decodeRecording(recordingText([], HEADER));
    expect(r.header).toEqual(HEADER);
    expect(r.events).toEqual([]);
    expect(r.complete).toBe(false);
  });
});
