/**
 * evio facts, one loop: Opened runs on the first event after accept, and the syscalls of one
 * accept and one echo reply are exactly evio's (spec §2.6, §2.17, evio-strace-echo.txt).
 */
import { EV, maskName, type TraceEvent } from '@loopscope/trace';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeAndWait, connect, readExactly } from './clients';
import { acceptOf, fixture, ofKind, traced, waitFor } from './facts-helpers';

/** One line per loop step of this conn or the listener, as in the strace reference. */
function describeStep(e: TraceEvent, fd: number, ln: number): string | null {
  switch (e.kind) {
    case 'wait-return': {
      const parts: string[] = [];
      for (let i = 0; i < e.ready.length; i += 2) {
        const f = e.ready[i]!;
        if (f === fd || f === ln)
          parts.push(`${f === ln ? 'listener' : 'conn'}:${maskName(e.ready[i + 1]!)}`);
      }
      return parts.length > 0 ? `wait-return ${parts.join(' ')}` : null;
    }
    case 'accept':
      return e.fd === fd ? `accept4 ${e.outcome}` : null;
    case 'sys':
      return e.fd === fd ? e.name : null;
    case 'ctl':
      return e.fd === fd ? `ctl ${e.op} ${maskName(e.new)}` : null;
    case 'read':
      return e.fd === fd ? `read ${e.result} ${e.bytes}` : null;
    case 'write':
      return e.fd === fd ? `write ${e.result} ${e.written}` : null;
    case 'opened':
      return e.fd === fd ? 'opened' : null;
    case 'handler':
      return e.fd === fd ? `handler ${e.handler}` : null;
    case 'close':
      return e.fd === fd ? `close ${e.reason}` : null;
    default:
      return null;
  }
}

describe('evio facts: accept, Opened and one echo at 1 loop', () => {
  let steps: string[] = [];
  let events: TraceEvent[] = [];

  beforeAll(async () => {
    const run = await traced({ handler: { module: fixture('facts-blob') }, numLoops: 1 });
    events = run.events;
    const c = await connect(run.server.addrs[0]!);
    const { fd, gen } = await acceptOf(events, c);
    // Send only once the conn is idle on EPOLLIN, so that Opened's event carries no input.
    await waitFor(events, 'ctl', (e) => e.fd === fd && e.gen === gen && e.op === 'mod' && e.new === EV.IN);
    c.write('hello');
    expect((await readExactly(c, 5)).toString()).toBe('hello');
    await closeAndWait(c);
    await waitFor(events, 'close', (e) => e.fd === fd && e.gen === gen);
    await run.server.stop();
    const ln = ofKind(events, 'listener')[0]!.fd;
    const from = events.findLastIndex(
      (e, i) => e.kind === 'wait-return' && i < events.indexOf(ofKind(events, 'accept')[0]!),
    );
    const to = events.findIndex((e) => e.kind === 'close' && e.fd === fd && e.gen === gen);
    steps = events
      .slice(from, to + 1)
      .map((e) => describeStep(e, fd, ln))
      .filter((s): s is string => s !== null);
  });

  it('runs Opened on the first event after accept, not inside accept', () => {
    expect(steps.slice(0, 9)).toEqual([
      'wait-return listener:IN',
      'accept4 won',
      'fcntl(F_GETFL)',
      'fcntl(F_SETFL, O_NONBLOCK)',
      'ctl add IN|OUT',
      'wait-return conn:OUT',
      'opened',
      'handler opened',
      'ctl mod IN',
    ]);
    const accept = ofKind(events, 'accept', (e) => e.outcome === 'won')[0]!;
    const opened = ofKind(events, 'opened')[0]!;
    const waitsBetween = ofKind(events, 'wait-return', (e) => e.seq > accept.seq && e.seq < opened.seq);
    expect(waitsBetween).toHaveLength(1);
  });

  it("makes evio's syscalls for one accept and one echo reply, in evio's order", () => {
    // evio-strace-echo.txt and spec §2.17, with Loopscope's handler events interleaved.
    expect(steps).toEqual([
      'wait-return listener:IN',
      'accept4 won',
      'fcntl(F_GETFL)',
      'fcntl(F_SETFL, O_NONBLOCK)',
      'ctl add IN|OUT',
      'wait-return conn:OUT',
      'opened',
      'handler opened',
      'ctl mod IN',
      'wait-return conn:IN',
      'read data 5',
      'handler data',
      'ctl mod IN|OUT',
      'wait-return conn:OUT',
      'write full 5',
      'ctl mod IN',
      'wait-return conn:IN',
      'read eof 0',
      'close eof',
    ]);
  });
});
