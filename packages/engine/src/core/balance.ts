/**
 * evio's accept balancers, consulted only when there is more than one loop. A loop that
 * declines returns without accepting; the listener stays readable (level-triggered), so it is
 * woken again at once and re-evaluates: the decline spin.
 */
import type { LoadBalance } from './api';

/** Index of the RoundRobin counter and of the per-loop connection counts in the shared state. */
export const RR_SLOT = 0;
export const countSlot = (loop: number): number => 1 + loop;
export const genSlot = (loops: number): number => 1 + loops;

/** Returns null to accept, or the reason this loop declines. */
export function balanceDecision(
  balance: LoadBalance,
  shared: Int32Array,
  loop: number,
  loops: number,
): string | null {
  if (loops <= 1) return null;
  if (balance === 'least-connections') {
    const mine = Atomics.load(shared, countSlot(loop));
    for (let i = 0; i < loops; i++) {
      if (i === loop) continue;
      const theirs = Atomics.load(shared, countSlot(i));
      if (theirs < mine) return `least-connections: loop ${i} has ${theirs} < ${mine}`;
    }
    return null;
  }
  if (balance === 'round-robin') {
    // evio reads the counter and bumps it before accept4, even if accept then fails.
    const turn = Atomics.load(shared, RR_SLOT) % loops;
    if (turn !== loop) return `round-robin: turn of loop ${turn}`;
    Atomics.add(shared, RR_SLOT, 1);
    return null;
  }
  return null;
}
