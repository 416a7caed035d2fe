/**
 * A listening socket: an accept queue bounded by the backlog. A connection whose handshake finds
 * the queue full waits in `pending` and moves in as soon as an accept makes room (Linux would drop
 * the SYN and the client would retransmit it after 1 s; the simulator skips that wait).
 */
import { EV } from '@loopscope/trace';
import type { EpollItem } from './epoll';
import { type SimFile, wakeUp } from './file';
import type { StreamEnd } from './stream';

/** A connection on its way to accept: the server's end and what to do once it is queued. */
export interface Incoming {
  end: StreamEnd;
  onQueued(): void;
}

export class SimListener implements SimFile {
  readonly kind = 'listener';
  readonly waiters: EpollItem[] = [];
  readonly queue: StreamEnd[] = [];
  readonly pending: Incoming[] = [];
  closed = false;

  constructor(
    readonly addr: string,
    readonly backlog: number,
    readonly reuseport: boolean,
  ) {}

  poll(): number {
    return this.queue.length > 0 ? EV.IN : 0;
  }

  /** A handshake completed: queue the connection, or keep it waiting if the backlog is full. */
  offer(inc: Incoming): void {
    if (this.queue.length >= this.backlog) {
      this.pending.push(inc);
      return;
    }
    this.queue.push(inc.end);
    inc.onQueued();
    wakeUp(this, EV.IN);
  }

  /** accept(2): the oldest queued connection, or null (EAGAIN). */
  take(): StreamEnd | null {
    const end = this.queue.shift() ?? null;
    const next = this.pending.shift();
    if (next) this.offer(next);
    return end;
  }

  /** close(2): queued and waiting connections are reset. */
  close(): void {
    this.closed = true;
    for (const end of this.queue.splice(0)) end.abort();
    for (const inc of this.pending.splice(0)) inc.end.abort();
  }
}
