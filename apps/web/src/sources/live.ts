/**
 * Live: the server's websocket at `/ws` (received in a worker, ./live-socket.ts).
 * Reconnects with backoff and resumes the current run from the last seq it has; reports how many
 * events the server dropped for this client.
 */
import type { ClientMessage, RunInfo, ServerMessage, TraceEvent } from '@loopscope/trace';
import { type LiveSocket, openLiveSocket } from './live-socket';
import type { RunParams, SourceSink, TraceSource } from './types';

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 5000;

/** The websocket URL of the page's own server. */
export function liveUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/ws`;
}

export class LiveSource implements TraceSource {
  readonly kind = 'live' as const;
  private sink: SourceSink | null = null;
  private ws: LiveSocket | null = null;
  private runId: string | null = null;
  private run: RunInfo | null = null;
  /** Next seq expected for the current run. */
  private nextSeq = 0;
  private dropped = 0;
  private backoff = MIN_BACKOFF_MS;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private everOpened = false;
  private pendingStart: ClientMessage | null = null;

  constructor(private readonly url: string = liveUrl()) {}

  attach(sink: SourceSink): void {
    this.sink = sink;
    sink.reset(null, 'live');
    this.connect();
  }

  detach(): void {
    this.sink = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close();
  }

  startRun(p: RunParams): void {
    const msg: ClientMessage = {
      type: 'start',
      scenario: p.scenario,
      mode: p.mode,
      loops: p.loops,
      balance: p.balance,
      params: p.params,
    };
    if (!this.send(msg)) this.pendingStart = msg;
  }

  stopRun(): void {
    this.send({ type: 'stop' });
  }

  private send(msg: ClientMessage): boolean {
    return this.ws?.send(JSON.stringify(msg)) ?? false;
  }

  private connect(): void {
    if (!this.sink) return;
    this.sink.status({ state: 'connecting', message: `Connecting to ${this.url}…`, run: this.run });
    const ws = openLiveSocket(this.url, {
      open: () => {
        this.everOpened = true;
        this.backoff = MIN_BACKOFF_MS;
        this.status('open', null);
        if (this.runId !== null) this.send({ type: 'resume', runId: this.runId, from: this.nextSeq });
        if (this.pendingStart) this.send(this.pendingStart);
        this.pendingStart = null;
      },
      message: (msg) => this.onMessage(msg),
      close: (error) => {
        if (this.ws !== ws) return;
        this.ws = null;
        if (error !== null) {
          this.lost(`Cannot open ${this.url}: ${error}`);
          return;
        }
        this.lost(
          this.everOpened
            ? 'Connection to the server lost. Reconnecting…'
            : `No Loopscope server at ${this.url}. Start one with \`pnpm loopscope serve\`, or switch to sim or replay.`,
        );
      },
    });
    this.ws = ws;
  }

  private lost(message: string): void {
    this.status('closed', message);
    if (!this.sink) return;
    this.timer = setTimeout(() => this.connect(), this.backoff);
    this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff * 2);
  }

  private status(state: 'open' | 'closed', message: string | null): void {
    this.sink?.status({ state, message, dropped: this.dropped, run: this.run });
  }

  private onMessage(msg: ServerMessage): void {
    if (!this.sink) return;
    switch (msg.type) {
      case 'hello':
        if (msg.run) this.newRun(msg.run, msg.header, true);
        this.status('open', msg.run ? null : 'Connected. No run yet: pick a scenario and press Start.');
        break;
      case 'run':
        this.newRun(msg.run, msg.header, msg.run.id !== this.runId);
        this.status(
          'open',
          msg.run.state === 'failed' ? `Run failed: ${msg.run.error ?? 'unknown error'}` : null,
        );
        break;
      case 'batch':
        this.onBatch(msg.runId, msg.from, msg.events, msg.dropped);
        break;
      case 'error':
        this.status('open', `Server: ${msg.message}`);
        break;
    }
  }

  private newRun(run: RunInfo, header: Parameters<SourceSink['reset']>[0], fresh: boolean): void {
    this.run = run;
    if (!fresh) return;
    this.runId = run.id;
    this.nextSeq = 0;
    this.dropped = 0;
    this.sink?.reset(header, `live · ${run.scenario}`);
    this.send({ type: 'resume', runId: run.id, from: 0 });
  }

  private onBatch(runId: string, from: number, events: TraceEvent[], dropped: number): void {
    if (runId !== this.runId || !this.sink) return;
    // After a resume the server may resend events we have: keep only the new ones.
    const fresh = from >= this.nextSeq ? events : events.filter((e) => e.seq >= this.nextSeq);
    if (fresh.length > 0) {
      this.nextSeq = fresh[fresh.length - 1]!.seq + 1;
      this.sink.events(fresh);
    }
    if (dropped !== this.dropped) {
      this.dropped = dropped;
      this.status('open', null);
    }
  }
}
