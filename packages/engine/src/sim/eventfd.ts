/** An eventfd: a counter that is readable while non-zero (evio's wake-up channel). */
import { EV } from '@loopscope/trace';
import { ERRNO } from '../core/kernel';
import type { EpollItem } from './epoll';
import { type SimFile, wakeUp } from './file';

export class SimEventfd implements SimFile {
  readonly kind = 'eventfd';
  readonly waiters: EpollItem[] = [];
  count = 0;

  poll(): number {
    return (this.count > 0 ? EV.IN : 0) | EV.OUT;
  }

  /** Adds 1 and wakes the watchers. */
  write(): number {
    this.count++;
    wakeUp(this, EV.IN);
    return 0;
  }

  /** Reads and resets the counter; EAGAIN at 0 (the simulator never blocks). */
  read(): number {
    if (this.count === 0) return -ERRNO.EAGAIN;
    this.count = 0;
    return 0;
  }
}
