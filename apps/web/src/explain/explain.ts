/**
 * One or two plain sentences per event: what happened, why, and what evio does next.
 * The texts follow evio's real behaviour (docs: shared/reference/evio-behaviour.md §2).
 */
import { maskName, type TraceEvent } from '@loopscope/trace';
import { fmtBytes, fmtNs } from '../theme';

/** A one-line summary for the log row. */
export function summary(ev: TraceEvent): string {
  switch (ev.kind) {
    case 'loop-start':
      return `loop started: epoll fd ${ev.epfd}, wake fd ${ev.wakeFd}`;
    case 'loop-stop':
      return `loop stopped (${ev.error ?? ev.reason})`;
    case 'wait-enter':
      return `epoll_wait(${ev.epfd}, ${ev.max}, ${ev.timeoutMs} ms)`;
    case 'wait-return':
      return ev.n < 0 ? `epoll_wait → ${ev.errno}` : `epoll_wait → ${ev.n} ready ${readyList(ev.ready)}`;
    case 'notes':
      return `notes: ${ev.tick} tick, ${ev.wake} wake, ${ev.shutdown} shutdown`;
    case 'eventfd':
      return `eventfd ${ev.op} fd ${ev.fd}${ev.op === 'write' ? ` → wakes loop ${ev.target}` : ''}`;
    case 'listener':
      return `listener fd ${ev.fd} ${ev.addr} watched`;
    case 'accept':
      return `accept on fd ${ev.listenerFd}: ${ev.outcome}${ev.fd !== null ? ` → fd ${ev.fd}` : ''}${ev.reason ? ` (${ev.reason})` : ''}${ev.errno ? ` ${ev.errno}` : ''}`;
    case 'opened':
      return `opened fd ${ev.fd} from ${ev.remote}`;
    case 'ctl':
      return `epoll_ctl ${ev.op.toUpperCase()} fd ${ev.fd}: ${maskName(ev.old)} → ${maskName(ev.new)}${ev.errno ? ` ${ev.errno}` : ''}`;
    case 'read':
      return `${ev.sys} fd ${ev.fd} → ${ev.result === 'data' ? fmtBytes(ev.bytes) : ev.result.toUpperCase()}`;
    case 'handler':
      return `${ev.handler}() ${fmtNs(ev.durNs)}${ev.fd !== null ? ` fd ${ev.fd}` : ''}${ev.outBytes ? ` → ${fmtBytes(ev.outBytes)} out` : ''}${ev.action !== 'none' ? `, ${ev.action}` : ''}`;
    case 'write':
      return `${ev.sys} fd ${ev.fd} ${fmtBytes(ev.asked)} → ${ev.result === 'eagain' ? 'EAGAIN' : `${fmtBytes(ev.written)} (${ev.result})`}`;
    case 'out':
      return `fd ${ev.fd} pending output ${fmtBytes(ev.pending)} (${ev.cause})`;
    case 'overwrite':
      return `fd ${ev.fd}: ${fmtBytes(ev.lost)} of pending output LOST (${ev.path})`;
    case 'wake':
      return `Conn.wake() fd ${ev.fd}`;
    case 'action':
      return `action ${ev.action} on fd ${ev.fd}`;
    case 'close':
      return `close fd ${ev.fd} (${ev.reason}${ev.discarded ? `, ${fmtBytes(ev.discarded)} discarded` : ''})`;
    case 'sys':
      return `${ev.name}${ev.fd !== null ? ` fd ${ev.fd}` : ''} → ${ev.errno ?? ev.ret}`;
    case 'fault':
      return `FAULT ${ev.op}${ev.errno ? ` ${ev.errno}` : ''}`;
    case 'client-connect':
      return `client ${ev.client} connects (${ev.local})`;
    case 'client-send':
      return `client ${ev.client} sends ${fmtBytes(ev.bytes)}`;
    case 'client-recv':
      return `client ${ev.client} receives ${fmtBytes(ev.bytes)}${ev.latencyNs >= 0 ? ` (reply in ${fmtNs(ev.latencyNs)})` : ''}`;
    case 'client-verify':
      return `client ${ev.client} verifies ${fmtBytes(ev.bytes)}: ${ev.mismatches ? `${ev.mismatches} MISMATCHES` : 'all correct'}`;
    case 'client-close':
      return `client ${ev.client} closed${ev.error ? ` (${ev.error})` : ''}`;
    case 'herd-wakeups':
      return `kernel woke ${perAccept(ev.woken, ev.accepts)} loops per accept (${perAccept(ev.visible, ev.accepts)} returned from epoll_wait)`;
    case 'mark':
      return ev.text;
    case 'other':
      return `${ev.name} ${ev.detail}`;
    case 'end':
      return `end of recording (${ev.events} events)`;
  }
}

function perAccept(n: number, accepts: number): string {
  return accepts > 0 ? (n / accepts).toFixed(2) : '0';
}

function readyList(ready: number[]): string {
  const fds: string[] = [];
  for (let i = 0; i < ready.length && fds.length < 6; i += 2)
    fds.push(`${ready[i]}:${maskName(ready[i + 1]!)}`);
  if (ready.length > 12) fds.push('…');
  return fds.length ? `[${fds.join(' ')}]` : '';
}

/** The explanation shown under the log for the selected event. */
export function explain(ev: TraceEvent): string {
  switch (ev.kind) {
    case 'loop-start':
      return 'The loop thread created its epoll instance and an eventfd that other threads write to wake it. It registers the eventfd and every listener for reading, then starts waiting.';
    case 'loop-stop':
      return 'The loop left its wait loop. evio stops the whole server when any loop stops: the others get a shutdown note and every connection is closed.';
    case 'wait-enter':
      return `The loop has nothing left to do and blocks in epoll_wait for at most ${ev.timeoutMs} ms. Only readiness of a watched fd, a write to its eventfd or the timeout will wake it.`;
    case 'wait-return':
      if (ev.n === 0)
        return 'The 100 ms timeout expired with nothing ready. evio still drains its note queue after every wait, then waits again.';
      if (ev.n < 0) return `epoll_wait failed with ${ev.errno}. EINTR is harmless: evio just waits again.`;
      return `The kernel reported ${ev.n} ready fd${ev.n > 1 ? 's' : ''}. evio first drains its notes, then handles each fd in kernel order with exactly one branch (accept, opened, write, action or read); the event mask is ignored.`;
    case 'notes':
      return 'After every wait evio handles all queued notes before any fd: ticks, Conn.Wake() requests and the shutdown signal.';
    case 'eventfd':
      return ev.op === 'write'
        ? `Another thread wrote to loop ${ev.target}'s eventfd so that its epoll_wait returns and sees the queued note.`
        : 'The loop read its eventfd to reset the counter. If a wake is queued after the notes were drained but before this read, it is only seen after the next wait (up to 100 ms later).';
    case 'listener':
      return ev.reuseport
        ? 'This loop has its own listening socket (SO_REUSEPORT): the kernel hashes each new connection to exactly one loop.'
        : 'evio registers every listener in every loop’s epoll, level-triggered. A new connection therefore wakes every loop: the thundering herd.';
    case 'accept':
      return acceptText(ev);
    case 'opened':
      return 'The connection was registered for read and write at accept, and an idle socket is always writable, so the loop woke at once. evio spends that wake on Opened; with nothing to send it MODs the fd back to read-only.';
    case 'ctl':
      return ctlText(ev);
    case 'read':
      if (ev.result === 'eagain')
        return 'The read found nothing (EAGAIN): the readiness was stale. evio returns and waits again.';
      if (ev.result === 'eof')
        return 'read returned 0: the peer closed its side. evio closes the connection and calls Closed.';
      if (ev.result === 'error')
        return `read failed with ${ev.errno}: evio closes the connection with that error.`;
      return `One read of up to 64 KiB per wake (evio never reads until EAGAIN): ${fmtBytes(ev.bytes)} go to the Data handler. If it returns output, evio MODs the fd to read+write and writes on the next wake.`;
    case 'handler':
      return handlerText(ev);
    case 'write':
      return writeText(ev);
    case 'out':
      return ev.pending > 0
        ? `${fmtBytes(ev.pending)} wait in the connection’s output buffer. While it is not empty the write branch wins every wake of this fd, so read never runs for it.`
        : 'All output was handed to the kernel. evio keeps a buffer of up to 4 KiB for reuse and drops larger ones.';
    case 'overwrite':
      return ev.path === 'wake'
        ? `Conn.Wake() ran Data(c, nil) and its output REPLACED ${fmtBytes(ev.lost)} that were still waiting to be written. The wake path bypasses the dispatch order, so the write-first protection does not cover it: this is evio’s real data loss.`
        : `Read ran while output was pending (the order the write-loss claim imagines) and the new reply replaced ${fmtBytes(ev.lost)} of unsent output.`;
    case 'wake':
      return 'Conn.Wake() queued a note for this connection and wrote to the loop’s eventfd. The loop will call Data(c, nil) after its next wait, before handling any fd.';
    case 'action':
      return `The pending action (${ev.action}) runs only now, after all output was written: write comes before action in the dispatch order.`;
    case 'close':
      return `evio closes the fd (close removes it from epoll; no EPOLL_CTL_DEL) and calls Closed.${ev.discarded ? ` ${fmtBytes(ev.discarded)} of pending output are thrown away.` : ''}`;
    case 'sys':
      return `A supporting system call (${ev.name}). evio makes every accepted socket non-blocking so that read and write return EAGAIN instead of blocking the loop.`;
    case 'fault':
      return `Here evio would not go on: ${ev.evio}. Loopscope records the fault and continues so you can see what led to it.`;
    case 'client-connect':
    case 'client-send':
    case 'client-recv':
    case 'client-close':
      return 'A scenario client, outside the server: it is what makes the loops work, and it checks the bytes it gets back.';
    case 'client-verify':
      return ev.mismatches
        ? `The client compared what it received with what it expected and found ${ev.mismatches} wrong bytes${ev.detail ? ` (${ev.detail})` : ''}: output was lost or reordered.`
        : 'The client compared every byte it received with what it expected: all correct.';
    case 'herd-wakeups':
      return `Measured outside the loops, for ${ev.accepts} accepted connections: the kernel woke ${perAccept(ev.woken, ev.accepts)} loop threads per connection, but only ${perAccept(ev.visible, ev.accepts)} returned from epoll_wait with the listener ready. The others woke, found the connection already taken and slept again inside epoll_wait: a wake-up and a context switch the trace alone cannot show (counted from each thread's voluntary context switches). EPOLLEXCLUSIVE (exclusive mode) or one listener per loop (reuseport) bring it to 1.`;
    case 'mark':
      return 'A note from the scenario or the loop, to orient you in the trace.';
    case 'other':
      return 'A system call of the traced program outside the loop model (for example the Go runtime’s own poller). Kept so nothing is silently lost.';
    case 'end':
      return 'The recording is complete: every event the run produced is above.';
  }
}

function acceptText(ev: TraceEvent & { kind: 'accept' }): string {
  switch (ev.outcome) {
    case 'won':
      return 'This loop won the race and accepted the connection. It makes the fd non-blocking and registers it for read AND write, so the connection wakes this loop again at once.';
    case 'declined':
      return `The balancer said it is not this loop’s turn (${ev.reason ?? 'balance'}), so it returns without accepting. The listener stays readable (level-triggered), so this loop wakes again and again until someone accepts.`;
    case 'eagain':
      return 'This loop woke for the same new connection but another loop accepted it first: accept returned EAGAIN. A wasted wake-up: the thundering herd.';
    case 'error':
      return `accept failed with ${ev.errno}. evio returns the error from the loop, which shuts down the whole server.`;
  }
}

function ctlText(ev: TraceEvent & { kind: 'ctl' }): string {
  if (ev.op === 'add') return `Registered fd ${ev.fd} for ${maskName(ev.new)} (level-triggered unless ET).`;
  if (ev.op === 'del') return `Removed fd ${ev.fd} from this epoll instance.`;
  if (ev.new & 0x004)
    return 'The handler returned output (or an action), so evio asks to be told when the socket is writable: MOD to read+write. One more syscall for every reply.';
  return 'Nothing is left to send, so evio drops write interest: MOD back to read-only. Keeping it would wake the loop forever, since an idle socket is always writable.';
}

function handlerText(ev: TraceEvent & { kind: 'handler' }): string {
  const slow =
    ev.durNs > 1e6
      ? ` It ran for ${fmtNs(ev.durNs)}: every other ready connection of this loop waited all that time (head-of-line blocking).`
      : '';
  switch (ev.handler) {
    case 'data':
      return `Data(c, in) ran on the loop’s own thread.${slow}`;
    case 'wake':
      return `Data(c, nil) ran because of Conn.Wake(). Whatever it returns REPLACES pending output and overwrites the pending action.${slow}`;
    case 'opened':
      return `Opened(c) ran on the first wake after accept.${slow}`;
    case 'closed':
      return 'Closed(c, err) ran after the fd was closed.';
    case 'tick':
      return `Tick ran on loop 0’s thread; its delay sets the next tick.${slow}`;
    case 'prewrite':
      return 'PreWrite runs right before every write attempt, including attempts that end in EAGAIN.';
    default:
      return `The ${ev.handler} callback ran.${slow}`;
  }
}

function writeText(ev: TraceEvent & { kind: 'write' }): string {
  switch (ev.result) {
    case 'full':
      return 'One write took all pending output. With nothing left and no action, evio MODs the fd back to read-only.';
    case 'partial':
      return `The kernel’s send buffer took only ${fmtBytes(ev.written)} of ${fmtBytes(ev.asked)}. evio keeps the tail; the fd stays read+write and the next wake writes again. Nothing is lost.`;
    case 'eagain':
      return 'The send buffer is full: EAGAIN. The fd stays readable (the peer keeps sending), so epoll_wait returns at once and this write fails again: the EAGAIN spin, until the peer reads.';
    case 'error':
      return `write failed with ${ev.errno} (the peer is gone): evio closes the connection.`;
  }
}
