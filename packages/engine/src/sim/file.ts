/** What every object of the simulated kernel that a fd can point at has in common. */
import type { EpollItem } from './epoll';

export type FileKind = 'epoll' | 'eventfd' | 'listener' | 'stream' | 'udp';

export interface SimFile {
  readonly kind: FileKind;
  /** Current readiness, in epoll bits (`EV`). */
  poll(): number;
  /**
   * The file's wait queue: the epoll items watching it. Non-exclusive items at the head,
   * EPOLLEXCLUSIVE items at the tail, as `add_wait_queue` / `add_wait_queue_exclusive` do.
   */
  readonly waiters: EpollItem[];
}

/**
 * Wakes a file's wait queue with `key` (the kind of change: IN for data, OUT for space...),
 * as `__wake_up_common` does: every non-exclusive watcher is called; the walk stops after the
 * first EPOLLEXCLUSIVE watcher whose epoll had a sleeping waiter.
 */
export function wakeUp(file: SimFile, key: number): void {
  for (const item of [...file.waiters]) {
    const woke = item.ep.callback(item, key);
    if (item.exclusive && woke) break;
  }
}
