import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecording, RecordingDecoder, TraceDecodeError } from '../src/index';
import { FIXTURE, recordingText, sampleEvents } from './helpers';

const VALID = new TextEncoder().encode(recordingText(sampleEvents(20)));
const FIXTURE_BYTES = new TextEncoder().encode(FIXTURE);

/** A valid recording with a few byte-level mutations (replace, insert, delete). */
const mutated = fc
  .record({
    base: fc.constantFrom(VALID, FIXTURE_BYTES),
    edits: fc.array(
      fc.record({
        at: fc.nat(),
        op: fc.constantFrom('set', 'insert', 'delete'),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ base, edits }) => {
    const bytes = Array.from(base);
    for (const { at, op, byte } of edits) {
      const i = at % (bytes.length + 1);
      if (op === 'set' && i < bytes.length) bytes[i] = byte;
      else if (op === 'insert') bytes.splice(i, 0, byte);
      else bytes.splice(i, 1);
    }
    return Uint8Array.from(bytes);
  });

/** Any input: arbitrary strings, arbitrary bytes, JSON-ish lines, mutated recordings. */
const anyInput: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.array(fc.json(), { maxLength: 5 }).map((lines) => `${FIXTURE.split('\n')[0]}\n${lines.join('\n')}\n`),
  mutated,
);

/** Decodes in chunks cut at the given fractions of the input. */
function decodeChunked(input: string | Uint8Array, cuts: number[], tolerant: boolean): unknown {
  const dec = new RecordingDecoder({ tolerant, batchSize: 3 });
  const points = cuts.map((c) => Math.floor(c * input.length)).sort((a, b) => a - b);
  let prev = 0;
  for (const p of [...points, input.length]) {
    dec.push(input.slice(prev, p));
    prev = p;
  }
  return dec.end();
}

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 });

describe('decoder robustness (property)', () => {
  it('strict mode throws nothing but TraceDecodeError', () => {
    fc.assert(
      fc.property(anyInput, cuts, (input, cs) => {
        try {
          decodeChunked(input, cs, false);
        } catch (err) {
          if (!(err instanceof TraceDecodeError)) throw err;
        }
      }),
      { numRuns: 600 },
    );
  });

  it('tolerant mode never throws, and agrees with strict mode', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const tolerant = decodeRecording(input, { tolerant: true });
        let strictError: unknown = null;
        try {
          const strict = decodeRecording(input);
          expect(strict.events).toEqual(tolerant.events);
        } catch (err) {
          strictError = err;
        }
        expect(tolerant.error?.message ?? null).toBe(
          strictError === null ? null : (strictError as Error).message,
        );
      }),
      { numRuns: 600 },
    );
  });

  it('chunking never changes the outcome', () => {
    fc.assert(
      fc.property(mutated, cuts, (input, cs) => {
        const whole = decodeChunked(input, [], true) as TraceDecodeError | null;
        const pieces = decodeChunked(input, cs, true) as TraceDecodeError | null;
        expect(pieces?.message ?? null).toBe(whole?.message ?? null);
      }),
      { numRuns: 400 },
    );
  });
});
