/**
 * A simulated epoll instance: an interest list, a ready list in kernel order, level- and
 * edge-triggered reporting and EPOLLEXCLUSIVE, modelled on fs/eventpoll.c:
 * - a watched file's change calls `callback` (ep_poll_callback): the item joins the tail of the
 *   ready list and a sleeping waiter is woken;
 * - `collect` (ep_send_events) re-polls each ready item, reports it if its mask is non-zero, and
 *   puts level-triggered items back at the tail: they are reported again while still ready.
 */
import { EV } from '@loopscope/trace';
import { ERRNO } from '../core/kernel';
import type { SimFile } from './file';

/** Bits of an interest mask that are flags, not events. */
const FLAG_BITS = (EV.ET | EV.EXCLUSIVE) >>> 0;

/** One fd registered in one epoll instance. */
export class EpollItem {
  /** Interest (always includes ERR and HUP, as epoll_ctl adds them), without flag bits. */
  events = 0;
  et = false;
  exclusive = false;
  onReady = false;

  constructor(
    readonly ep: SimEpoll,
    readonly fd: number,
    readonly file: SimFile,
  ) {}

  /** What this item would report now. */
  mask(): number {
    return (this.file.poll() & this.events) >>> 0;
  }
}

/** What an epoll instance needs from the world: the clock and the wake-up latency. */
export interface EpollHost {
  time(): number;
  wakeLatency(): number;
}

export class SimEpoll implements SimFile {
  readonly kind = 'epoll';
  readonly waiters: EpollItem[] = [];
  readonly items = new Map<number, EpollItem>();
  private ready: EpollItem[] = [];
  /** A thread is blocked in epoll_wait with nothing to report (`waitqueue_active(&ep->wq)`). */
  sleeping = false;
  /** When the sleeping waiter was woken (plus wake-up latency); null if not woken. */
  wakeAt: number | null = null;

  constructor(private readonly host: EpollHost) {}

  poll(): number {
    return this.hasEvents() ? EV.IN : 0;
  }

  /** Whether a wait would report something now (re-polls the ready list, consumes nothing). */
  hasEvents(): boolean {
    for (const it of this.ready) if (it.mask() !== 0) return true;
    return false;
  }

  /** `epoll_ctl`. Returns 0 or -errno. */
  ctl(op: 'add' | 'mod' | 'del', fd: number, file: SimFile, mask: number): number {
    const item = this.items.get(fd);
    if (op === 'add') {
      if (item) return -ERRNO.EEXIST;
      if (file === this) return -ERRNO.EINVAL;
      const it = new EpollItem(this, fd, file);
      this.setMask(it, mask);
      this.items.set(fd, it);
      if (it.exclusive) file.waiters.push(it);
      else file.waiters.unshift(it);
      if (it.mask() !== 0) this.callback(it, it.mask());
      return 0;
    }
    if (!item || item.file !== file) return -ERRNO.ENOENT;
    if (op === 'del') {
      this.remove(item);
      return 0;
    }
    // Linux refuses EPOLLEXCLUSIVE with EPOLL_CTL_MOD, and any MOD of an exclusive item.
    if (item.exclusive || (mask & EV.EXCLUSIVE) !== 0) return -ERRNO.EINVAL;
    this.setMask(item, mask);
    if (item.mask() !== 0) this.callback(item, item.mask());
    return 0;
  }

  /** Drops an item (EPOLL_CTL_DEL, or its file was closed). */
  remove(item: EpollItem): void {
    this.items.delete(item.fd);
    const w = item.file.waiters.indexOf(item);
    if (w >= 0) item.file.waiters.splice(w, 1);
    if (item.onReady) {
      this.ready = this.ready.filter((it) => it !== item);
      item.onReady = false;
    }
  }

  /**
   * ep_poll_callback: the watched file changed (`key` says how). Queues the item and wakes a
   * sleeping waiter. Returns true if a waiter was woken for an event it asked for (this is
   * what stops an EPOLLEXCLUSIVE walk).
   */
  callback(item: EpollItem, key: number): boolean {
    if (key !== 0 && (key & item.events) === 0) return false;
    if (!item.onReady) {
      item.onReady = true;
      this.ready.push(item);
    }
    if (!this.sleeping) return false;
    this.sleeping = false;
    this.wakeAt = this.host.time() + this.host.wakeLatency();
    return true;
  }

  /** ep_send_events: up to `fds.length` ready fds into `fds`/`masks`. Returns the count. */
  collect(fds: Int32Array, masks: Uint32Array): number {
    const batch = this.ready;
    this.ready = [];
    const requeue: EpollItem[] = [];
    let n = 0;
    let i = 0;
    for (; i < batch.length && n < fds.length; i++) {
      const it = batch[i]!;
      it.onReady = false;
      const m = it.mask();
      if (m === 0) continue;
      fds[n] = it.fd;
      masks[n] = m;
      n++;
      if (!it.et) requeue.push(it);
    }
    // Items past maxevents stay first; level-triggered reported items follow them.
    const rest = batch.slice(i);
    for (const it of requeue) it.onReady = true;
    this.ready = rest.concat(requeue, this.ready);
    return n;
  }

  private setMask(it: EpollItem, mask: number): void {
    it.events = ((mask & ~FLAG_BITS) | EV.ERR | EV.HUP) >>> 0;
    it.et = (mask & EV.ET) !== 0;
    it.exclusive = (mask & EV.EXCLUSIVE) !== 0;
  }
}
