/**
 * A position in a trace and the model at that position. Keeps a snapshot every `K` events so
 * that any seek (one step back, a jump to the start) re-reduces at most `K` events. Snapshots
 * are made while moving forward, or handed in ready-made (`addSnapshot`: the recording worker
 * reduces a replayed file as it reads it, so a jump anywhere never reduces the whole trace).
 */
import { cloneModel, emptyModel } from './model';
import { applyEvent } from './reduce';
import type { TraceBuffer } from './trace-buffer';
import type { Model } from './types';

/** Events between snapshots. */
export const SNAPSHOT_EVERY = 2048;

export class Cursor {
  private snapshots: Model[] = [];
  model: Model;

  constructor(
    private readonly buffer: TraceBuffer,
    readonly loops: number,
  ) {
    this.model = emptyModel(loops);
    this.snapshots[0] = cloneModel(this.model);
  }

  /** Events applied: the model reflects events[0 .. position-1]. */
  get position(): number {
    return this.model.applied;
  }

  /**
   * A model after `at` events, computed elsewhere with the same reducer (`at` a multiple of
   * `SNAPSHOT_EVERY`). The cursor keeps it as it is and copies it when it starts from it.
   */
  addSnapshot(at: number, model: Model): void {
    if (at <= 0 || at % SNAPSHOT_EVERY !== 0 || model.applied !== at) return;
    const k = at / SNAPSHOT_EVERY;
    if (!this.snapshots[k]) this.snapshots[k] = model;
  }

  /** Moves to `n` applied events (clamped to the buffer) and returns the model there. */
  seek(n: number): Model {
    const target = Math.max(0, Math.min(this.buffer.length, Math.floor(n)));
    const at = this.model.applied;
    if (target < at || target - at > SNAPSHOT_EVERY * 2) {
      const k = Math.min(Math.floor(target / SNAPSHOT_EVERY), this.snapshots.length - 1);
      let s = k;
      while (s > 0 && !this.snapshots[s]) s--;
      if (target >= at && s * SNAPSHOT_EVERY <= at) return this.forward(target);
      this.model = cloneModel(this.snapshots[s]!);
    }
    return this.forward(target);
  }

  private forward(target: number): Model {
    const m = this.model;
    if (m.applied >= target) return m;
    this.buffer.forEach(m.applied, target, (ev) => {
      applyEvent(m, ev);
      if (m.applied % SNAPSHOT_EVERY === 0) {
        const k = m.applied / SNAPSHOT_EVERY;
        if (!this.snapshots[k]) this.snapshots[k] = cloneModel(m);
      }
    });
    return m;
  }
}
