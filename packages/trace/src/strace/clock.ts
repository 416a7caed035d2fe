/** Log timestamps to nanoseconds since the first line. */
import type { Stamp } from './line';

export class Clock {
  private base: Stamp | null = null;
  private dayOffset = 0;
  private lastSec = 0;

  /** Whether `s` has the style (`-tt` or `-ttt`) of the first stamp. */
  sameStyle(s: Stamp): boolean {
    return this.base === null || this.base.epoch === s.epoch;
  }

  /**
   * ns since the first stamp; `-tt` times that go back by more than 12 h crossed midnight.
   * Null (and nothing remembered) for a stamp too far away to be a safe integer.
   */
  at(s: Stamp): number | null {
    const base = this.base ?? s;
    const wrap = !s.epoch && s.sec + this.dayOffset < this.lastSec - 43_200 ? 86_400 : 0;
    const sec = s.sec + (s.epoch ? 0 : this.dayOffset + wrap);
    const t = Math.max(0, (sec - base.sec) * 1e9 + (s.ns - base.ns));
    // A damaged -ttt stamp (too many digits) must not become a time no recording can hold.
    if (!Number.isSafeInteger(t)) return null;
    this.base = base;
    this.dayOffset += wrap;
    this.lastSec = sec;
    return t;
  }
}
