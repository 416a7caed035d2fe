import { describe, expect, it } from 'vitest';
import { OUT_PAGE_KEEP, OutBuffer } from '../../src/core/out-buffer';

const bytes = (n: number, v = 1) => new Uint8Array(n).fill(v);

describe("OutBuffer: evio's output slice", () => {
  it('a full write keeps a small page where it began (out[:0]): the next reply reuses it', () => {
    const o = new OutBuffer();
    o.truncateCopy(bytes(64));
    const page = o.bytes;
    o.consume(64);
    expect(o.pending).toBe(0);
    o.truncateCopy(bytes(64, 2));
    expect(o.bytes).toBe(page); // no new allocation
    expect(o.offset).toBe(0);
    expect(o.pending).toBe(64);
    expect(o.bytes[0]).toBe(2);
  });

  it('a partial write slices forward (out[n:]); the full write after it keeps the rest of the page', () => {
    const o = new OutBuffer();
    o.truncateCopy(bytes(100));
    const page = o.bytes;
    o.consume(30);
    expect([o.offset, o.pending]).toEqual([30, 70]);
    o.consume(70);
    expect(o.pending).toBe(0);
    // cap(out[30:]) = 70: a reply of 70 bytes fits, one of 71 does not.
    o.truncateCopy(bytes(70));
    expect(o.bytes).toBe(page);
    expect(o.offset).toBe(30);
    o.consume(70);
    o.truncateCopy(bytes(71));
    expect(o.bytes).not.toBe(page);
  });

  it('the 4096 rule: a page larger than 4096 bytes is dropped after a full write', () => {
    const o = new OutBuffer();
    o.truncateCopy(bytes(OUT_PAGE_KEEP + 1));
    o.consume(OUT_PAGE_KEEP + 1);
    expect(o.bytes.length).toBe(0);
    o.truncateCopy(bytes(OUT_PAGE_KEEP));
    const page = o.bytes;
    o.consume(OUT_PAGE_KEEP);
    o.truncateCopy(bytes(10));
    expect(o.bytes).toBe(page); // exactly 4096 is kept
  });

  it('truncateCopy reports the unsent bytes it overwrote', () => {
    const o = new OutBuffer();
    o.truncateCopy(bytes(50));
    o.consume(20);
    expect(o.truncateCopy(bytes(5))).toBe(30);
    expect(o.pending).toBe(5);
  });
});
