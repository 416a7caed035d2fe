/**
 * The websocket hub: every connected tab gets the current run's events, batched on one 16 ms
 * clock (at most ~60 batches a second per tab), from its own bounded queue. The hub also keeps a
 * bounded window of the run's most recent events so that a tab that reconnects can resume.
 * Publishing never waits for any tab: the engine's pace is never set by a browser.
 */
import { LIVE_PROTOCOL_VERSION, type RunInfo, type TraceEvent, type TraceHeader } from '@loopscope/trace';
import type WebSocket from 'ws';
import { EventRing } from './event-ring';
import { LiveClient, type LiveClientLimits } from './live-client';

/** Limits of the hub and of every tab's stream. */
export interface HubLimits extends LiveClientLimits {
  /** Events of the current run kept for `resume`. */
  windowEvents: number;
  /** Milliseconds between flushes. */
  flushMs: number;
  /** Tabs connected at once at most (each has its own queue). */
  maxClients: number;
}

export const DEFAULT_HUB_LIMITS: HubLimits = {
  queueEvents: 50_000,
  batchEvents: 4_096,
  maxBufferedBytes: 2 * 1024 * 1024,
  windowEvents: 50_000,
  flushMs: 16,
  maxClients: 64,
};

export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private readonly window: EventRing;
  private windowRun: string | null = null;
  private run: RunInfo | null = null;
  private header: TraceHeader | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly serverName: string,
    readonly limits: HubLimits = DEFAULT_HUB_LIMITS,
  ) {
    this.window = new EventRing(limits.windowEvents);
  }

  /** Tabs connected now. */
  get size(): number {
    return this.clients.size;
  }

  /** Whether another tab may connect. */
  get full(): boolean {
    return this.clients.size >= this.limits.maxClients;
  }

  /** Registers a tab and greets it with the protocol version and the latest run. */
  add(ws: WebSocket): LiveClient {
    const client = new LiveClient(ws, this.limits);
    this.clients.add(client);
    client.send({
      type: 'hello',
      protocol: LIVE_PROTOCOL_VERSION,
      server: this.serverName,
      run: this.run,
      header: this.header,
    });
    this.timer ??= setInterval(() => this.tick(), this.limits.flushMs);
    return client;
  }

  remove(client: LiveClient): void {
    this.clients.delete(client);
    if (this.clients.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Hands numbered events of a run to the resume window and to every tab's queue. */
  publish(runId: string, events: readonly TraceEvent[]): void {
    if (runId !== this.windowRun) {
      this.window.clear();
      this.windowRun = runId;
    }
    for (const ev of events) this.window.push(ev);
    for (const client of this.clients) client.push(runId, events);
  }

  /** Tells every tab about a run's new state, after sending what is queued of its events. */
  announce(run: RunInfo, header: TraceHeader | null): void {
    this.run = run;
    this.header = header;
    for (const client of this.clients) {
      client.flush(true);
      client.announce({ type: 'run', run, header });
    }
  }

  /** Restarts a tab's stream at `from`; returns an error message if the run is not held. */
  resume(client: LiveClient, runId: string, from: number): string | null {
    if (runId !== this.windowRun) return `run ${runId} is not the current or latest run`;
    const first = this.window.firstSeq ?? from;
    client.resume(runId, from, this.window.since(from), first);
    return null;
  }

  /** Stops the clock and closes every tab. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const client of this.clients) {
      client.ws.close(1001, 'server shutting down');
      // A tab that no longer reads would hold the port open: cut it after a grace period.
      setTimeout(() => client.ws.terminate(), 500).unref();
    }
    this.clients.clear();
  }

  private tick(): void {
    for (const client of this.clients) client.flush();
  }
}
