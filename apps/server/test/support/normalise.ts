/**
 * The normalised event sequence of each connection, for comparing a simulated run with a real
 * one: per connection (fd + generation, in accept order), the kinds in order with what does not
 * depend on timing or on the kernel's buffer sizes: epoll_ctl op and masks, read results, handler
 * and action names, overwrite paths, close reasons. Left out: timestamps, fd numbers, byte
 * counts, wait-returns (how often a loop wakes is timing), `out` and `wake` bookkeeping.
 * A run of consecutive writes becomes one token saying whether it ended with everything
 * written: how many partial or EAGAIN writes it took depends on buffer sizes and scheduling.
 */
import type { TraceEvent } from '@loopscope/trace';

function token(ev: TraceEvent): string | null {
  switch (ev.kind) {
    case 'accept':
      return ev.outcome === 'won' ? 'accept' : null;
    case 'sys':
      return `sys ${ev.name}`;
    case 'ctl':
      return `ctl ${ev.op} ${ev.old}->${ev.new}${ev.errno ? ` ${ev.errno}` : ''}`;
    case 'opened':
      return 'opened';
    case 'handler':
      return `handler ${ev.handler}${ev.outBytes > 0 ? ' +out' : ''} ${ev.action}`;
    case 'read':
      return `read ${ev.result}`;
    case 'write':
      return ev.result === 'full' ? 'write full' : ev.result === 'error' ? `write error` : 'write short';
    case 'overwrite':
      return `overwrite ${ev.path}`;
    case 'action':
      return `action ${ev.action}`;
    case 'close':
      return `close ${ev.reason}`;
    default:
      return null;
  }
}

/** Per connection, in accept order: its normalised tokens. */
export function normalise(events: readonly TraceEvent[]): string[][] {
  const conns = new Map<string, string[]>();
  for (const ev of events) {
    const fd = 'fd' in ev ? ev.fd : null;
    const gen = 'gen' in ev ? ev.gen : null;
    if (fd === null || gen === null || gen === undefined || ev.loop < 0) continue;
    const t = token(ev);
    if (t === null) continue;
    const key = `${fd}/${gen}`;
    let list = conns.get(key);
    if (!list) {
      list = [];
      conns.set(key, list);
    }
    const last = list.at(-1);
    // A run of writes: keep one token, the result of its last write.
    if (t.startsWith('write ') && last?.startsWith('write ')) list[list.length - 1] = t;
    else list.push(t);
  }
  return [...conns.values()];
}
