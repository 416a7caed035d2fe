/**
 * A small seeded PRNG (mulberry32): the same seed gives the same sequence on every platform,
 * which is what makes a simulated run reproducible byte for byte.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    // Mix the seed once so that 0, 1, 2... start far apart.
    this.state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n); 0 when n <= 1. */
  int(n: number): number {
    return n <= 1 ? 0 : Math.floor(this.next() * n);
  }
}
