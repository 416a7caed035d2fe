/**
 * `+++ exited with 0 +++` / `+++ killed by SIGTERM +++`: a mark per thread, and `loop-stop` for
 * the loops of a process when its last known thread is gone.
 */
import type { Model } from './model';
import { rootOf, type Thread } from './world';

export function exitThread(m: Model, th: Thread, text: string, killed: boolean, t: number): void {
  m.emit(
    { kind: 'mark', t, loop: -1, text: `${th.tid === 0 ? 'process' : `thread ${th.tid}`}: ${text}` },
    m.loopOf(th),
  );
  for (const a of th.openAccepts) if (th.current !== null) m.placeAccept(a, th.current);
  th.openAccepts.length = 0;
  if (!th.alive) return;
  th.alive = false;
  const proc = rootOf(th.proc);
  proc.alive--;
  if (proc.alive > 0) return;
  for (const ep of proc.epolls.values()) {
    m.settleWakes(ep);
    if (ep.stopped || ep.ref.state === 'filtered') continue;
    ep.stopped = true;
    const ev = { kind: 'loop-stop', t, loop: -1, reason: 'shutdown', error: killed ? text : null } as const;
    m.emit({ ...ev }, ep.ref);
  }
}
