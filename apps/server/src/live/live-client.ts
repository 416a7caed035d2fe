/**
 * One browser tab on the websocket: its own bounded queue of the current run's events, flushed
 * as `batch` messages by the hub's clock. A tab that reads slowly (its socket's
 * `bufferedAmount` stays high) is simply skipped; its queue then overflows and the events it
 * misses are counted in `dropped` for it alone. Nothing here ever waits for the tab.
 */
import type { ServerMessage, TraceEvent } from '@loopscope/trace';
import type WebSocket from 'ws';
import { EventRing } from './event-ring';

/** The limits of one tab's stream. */
export interface LiveClientLimits {
  /** Events queued for the tab at most (the oldest go first). */
  queueEvents: number;
  /** Events in one batch at most. */
  batchEvents: number;
  /** Bytes the socket may hold unsent before the tab is skipped. */
  maxBufferedBytes: number;
}

export class LiveClient {
  private readonly queue: EventRing;
  private runId: string | null = null;
  /** Missed before the current queue's drops (a resume from before the window). */
  private missedBefore = 0;
  /** A run's final state, held back until its queued events are sent. */
  private pendingFinal: Extract<ServerMessage, { type: 'run' }> | null = null;
  /** Batches sent, for statistics and tests. */
  batches = 0;

  constructor(
    readonly ws: WebSocket,
    private readonly limits: LiveClientLimits,
  ) {
    this.queue = new EventRing(limits.queueEvents);
  }

  /** Events this tab missed in its current run. */
  get dropped(): number {
    return this.missedBefore + this.queue.dropped;
  }

  /** Queues events of `runId`; a new run starts an empty queue. */
  push(runId: string, events: readonly TraceEvent[]): void {
    if (runId !== this.runId) this.reset(runId);
    for (const ev of events) this.queue.push(ev);
  }

  /**
   * Restarts the stream of `runId` at seq `from` with the events still held in `window`
   * (`windowFirst` is the window's oldest seq); anything older is counted as missed.
   */
  resume(runId: string, from: number, window: readonly TraceEvent[], windowFirst: number): void {
    this.reset(runId);
    this.missedBefore = Math.max(0, windowFirst - from);
    for (const ev of window) if (ev.seq >= from) this.queue.push(ev);
  }

  /**
   * Sends one batch of queued events unless the socket is backed up; with `all`, sends batches
   * until the queue is empty or the socket backs up (used before a run's final state). Never blocks.
   */
  flush(all = false): void {
    if (this.runId === null || this.ws.readyState !== this.ws.OPEN) return;
    do {
      if (this.queue.size === 0 || this.ws.bufferedAmount > this.limits.maxBufferedBytes) break;
      const events = this.queue.take(this.limits.batchEvents);
      this.send({ type: 'batch', runId: this.runId, from: events[0]!.seq, events, dropped: this.dropped });
      this.batches++;
    } while (all);
    if (this.queue.size === 0) this.sendPendingFinal();
  }

  private sendPendingFinal(): void {
    if (this.pendingFinal === null) return;
    const msg = this.pendingFinal;
    this.pendingFinal = null;
    this.send(msg);
  }

  /**
   * Sends a run's new state. A final state (finished, failed) waits until the run's queued
   * events are sent, so that a tab sees every event it will get before it hears the run ended.
   */
  announce(msg: Extract<ServerMessage, { type: 'run' }>): void {
    const final = msg.run.state === 'finished' || msg.run.state === 'failed';
    if (final && msg.run.id === this.runId && this.queue.size > 0) {
      this.pendingFinal = msg;
      return;
    }
    this.sendPendingFinal();
    this.send(msg);
  }

  /** Sends a control message (hello, run, error) at once. */
  send(msg: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private reset(runId: string): void {
    this.sendPendingFinal();
    this.runId = runId;
    this.queue.clear();
    this.missedBefore = 0;
  }
}
