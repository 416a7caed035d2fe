/** A connection as the loop keeps it (evio's `conn`), and as handlers see it (`Conn`). */
import { Action, type Conn } from './api';
import { OutBuffer } from './out-buffer';

/** The few things a connection needs from its loop. */
export interface ConnOwner {
  readonly index: number;
  wakeConn(c: LoopConn): void;
  busy(ns: number): void;
}

export class LoopConn implements Conn {
  context: unknown = null;
  addrIndex: number;
  localAddr = '';
  readonly remoteAddr: string;
  /** loopOpened has run. */
  opened = false;
  /** The action waiting for the output to drain. */
  action: Action = Action.None;
  /** ReuseInputBuffer: `data` gets a view of the loop's read buffer. */
  reuse = false;
  /** The interest currently registered in epoll (0 = none). */
  interest = 0;
  readonly out = new OutBuffer();

  constructor(
    readonly fd: number,
    readonly gen: number,
    private readonly owner: ConnOwner,
    readonly listenerIndex: number,
    remote: string,
  ) {
    this.addrIndex = listenerIndex;
    this.remoteAddr = remote;
  }

  get loopIndex(): number {
    return this.owner.index;
  }

  wake(): void {
    this.owner.wakeConn(this);
  }

  busy(ms: number): void {
    this.owner.busy(Math.max(0, ms) * 1e6);
  }
}
