/**
 * What the scheduler knows about a loop thread, from /proc: how often it went to sleep
 * (voluntary context switches) and whether it is asleep in epoll_wait now. Used to see kernel
 * wake-ups that never reach user space (a thread woken by epoll that finds nothing and sleeps again).
 */
import { readFileSync } from 'node:fs';

const task = (tid: number, file: string) => readFileSync(`/proc/self/task/${tid}/${file}`, 'utf8');

/** Voluntary context switches of a thread of this process: one per sleep it started. */
export function sleepsOf(tid: number): number {
  const m = /voluntary_ctxt_switches:\s+(\d+)/.exec(task(tid, 'status'));
  if (!m) throw new Error(`no voluntary_ctxt_switches for thread ${tid}`);
  return Number(m[1]);
}

/** True if the thread sleeps (state S) inside epoll_wait (its wait channel). */
export function inEpollWait(tid: number): boolean {
  const stat = task(tid, 'stat');
  const state = stat.charAt(stat.lastIndexOf(')') + 2);
  return state === 'S' && task(tid, 'wchan').includes('epoll');
}

/** Waits (polling every ms, `minMs` at least, `maxMs` at most) until every thread sleeps in epoll_wait. */
export async function untilAllInEpollWait(tids: number[], minMs: number, maxMs = 1000): Promise<boolean> {
  const start = Date.now();
  await new Promise((r) => setTimeout(r, minMs));
  for (;;) {
    if (tids.every(inEpollWait)) return true;
    if (Date.now() - start > maxMs) return false;
    await new Promise((r) => setTimeout(r, 1));
  }
}
