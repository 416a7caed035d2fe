/** Numbers trace drafts in recording order: the simulator's recorder. */
import type { TraceEvent, TraceEventDraft } from '@loopscope/trace';

export class TraceSink {
  private seq = 0;
  private fresh: TraceEvent[] = [];

  /** Events numbered so far. */
  get count(): number {
    return this.seq;
  }

  /** Numbers `draft` (seq, t and loop first, then the event's own fields). */
  emit(draft: TraceEventDraft): void {
    const ev = Object.assign({ seq: this.seq++, t: draft.t, loop: draft.loop }, draft) as TraceEvent;
    this.fresh.push(ev);
  }

  /** Events produced since the last call. */
  drain(): TraceEvent[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }

  /** How many events are waiting to be drained. */
  get pending(): number {
    return this.fresh.length;
  }
}
