/**
 * Short guided tours: each step finds the next event that shows one fact of the seed, moves
 * there and says what to look at.
 */
import { EV, type TraceEvent } from '@loopscope/trace';
import type { EventAccess } from '../model/trace-buffer';

export interface TourStep {
  title: string;
  text: string;
  /** Matches the event the step stops at (`listeners`: the fds known to be listeners). */
  find: (ev: TraceEvent, listeners: ReadonlySet<number>) => boolean;
  /** Used instead of `find` when a step needs context: the index to stop at from `from`, or -1. */
  search?: (events: EventAccess, length: number, from: number) => number;
}

const isNewConnection = (e: TraceEvent) =>
  e.kind === 'client-connect' || (e.kind === 'accept' && e.outcome === 'won');

/** The first loss of another loop after `i` and before the next connection, or -1. */
function lossAfter(events: EventAccess, length: number, i: number, winner: number): number {
  for (let j = i; j < length; j++) {
    const e = events.event(j);
    if (isNewConnection(e)) return -1;
    // The winner trying again is already after the next connection.
    if (e.kind === 'accept' && e.loop !== winner) return j;
  }
  return -1;
}

/** Whether a loop lost (declined, EAGAIN) since the connection won at `w` arrived. */
function lossBefore(events: EventAccess, w: number): boolean {
  for (let j = w - 1; j >= 0; j--) {
    const e = events.event(j);
    if (isNewConnection(e)) return false;
    if (e.kind === 'accept') return true;
  }
  return false;
}

/**
 * A loser of a race: starting with the race just won (`from` is right after the win), the first
 * race that had one — at the loss if it came after the win, else at the win (the losers declined
 * before it).
 */
function lossOfThisRace(events: EventAccess, length: number, from: number): number {
  for (let w = from - 1; w >= 0 && w < length; ) {
    const after = lossAfter(events, length, w + 1, events.event(w).loop);
    if (after >= 0) return after;
    if (lossBefore(events, w)) return w;
    let next = -1;
    for (let j = w + 1; j < length; j++) {
      const e = events.event(j);
      if (e.kind === 'accept' && e.outcome === 'won') {
        next = j;
        break;
      }
    }
    w = next;
  }
  return -1;
}

export interface Tour {
  id: string;
  title: string;
  /** Scenario names this tour belongs to (substring match). */
  scenarios: string[];
  /** For the write-loss claim: compare evio with this mode. */
  compareMode?: string;
  steps: TourStep[];
}

const readyHasListener = (ev: TraceEvent, ls: ReadonlySet<number>) => {
  if (ev.kind !== 'wait-return') return false;
  for (let i = 0; i < ev.ready.length; i += 2) if (ls.has(ev.ready[i]!)) return true;
  return false;
};

export const TOURS: Tour[] = [
  {
    id: 'herd',
    title: 'The thundering herd on accept',
    scenarios: ['herd', 'accept', 'connect'],
    steps: [
      {
        title: 'A client connects',
        text: 'A scenario client calls connect(). The kernel puts the connection on the listener’s accept queue, and the listener becomes readable.',
        find: (e) => e.kind === 'client-connect',
      },
      {
        title: 'Every loop wakes',
        text: 'Each loop registered the same listener in its own epoll, so each epoll_wait returns with the listener ready. Watch the listener’s links light up and every lane pulse.',
        find: readyHasListener,
      },
      {
        title: 'One loop wins',
        text: 'Exactly one accept4 can take the connection. The winner registers the new fd for read AND write.',
        find: (e) => e.kind === 'accept' && e.outcome === 'won',
      },
      {
        title: 'The others lost the race',
        text: 'The other loops either declined (the balancer said it was not their turn) or called accept and got EAGAIN. Either way they woke for nothing. See “listener wake-ups / accept” in the numbers: 1 would mean no herd.',
        find: (e) => e.kind === 'accept' && e.outcome !== 'won',
        search: lossOfThisRace,
      },
    ],
  },
  {
    id: 'churn',
    title: 'Idle wake at open, and the MOD churn',
    scenarios: ['echo', 'churn', 'idle', 'open'],
    steps: [
      {
        title: 'Registered for read and write',
        text: 'At accept evio registers the new fd for IN|OUT. An idle socket is always writable…',
        find: (e) => e.kind === 'ctl' && e.op === 'add' && e.gen !== null && (e.new & EV.OUT) !== 0,
      },
      {
        title: '…so the loop wakes at once',
        text: 'The very next epoll_wait returns the new fd as writable. evio uses this wake to call Opened.',
        find: (e) => e.kind === 'opened',
      },
      {
        title: 'MOD back to read-only',
        text: 'Opened had nothing to send, so evio drops write interest. Watch the RW badge flip to R.',
        find: (e) => e.kind === 'ctl' && e.op === 'mod' && (e.new & EV.OUT) === 0,
      },
      {
        title: 'A request arrives',
        text: 'One read of up to 64 KiB; Data returns the reply.',
        find: (e) => e.kind === 'read' && e.result === 'data',
      },
      {
        title: 'MOD to read+write',
        text: 'To send the reply evio asks to hear when the socket is writable: a syscall for every reply.',
        find: (e) => e.kind === 'ctl' && e.op === 'mod' && (e.new & EV.OUT) !== 0,
      },
      {
        title: 'Write, then MOD back',
        text: 'The next wake writes the reply and, with nothing left, MODs back to R. Two epoll_ctl per request: compare with the direct-write mode.',
        find: (e) => e.kind === 'write',
      },
    ],
  },
  {
    id: 'spin',
    title: 'The EAGAIN spin of a slow reader',
    scenarios: ['slow', 'spin', 'eagain', 'reader'],
    steps: [
      {
        title: 'The send buffer fills',
        text: 'The kernel took only part of the reply: the rest stays pending in evio’s buffer (the bar on the conn).',
        find: (e) => e.kind === 'write' && e.result === 'partial',
      },
      {
        title: 'EAGAIN',
        text: 'The next write finds the send buffer still full.',
        find: (e) => e.kind === 'write' && e.result === 'eagain',
      },
      {
        title: 'Spinning',
        text: 'The peer keeps sending, so the fd stays readable (level-triggered): epoll_wait returns at once and the write fails again and again. Watch the EAGAIN counter and rate at the top of the stage.',
        find: (e) => e.kind === 'wait-return' && e.n > 0,
      },
      {
        title: 'Drained at last',
        text: 'When the peer reads, the write goes through and the loop can block again.',
        find: (e) => e.kind === 'write' && e.result === 'full',
      },
    ],
  },
  {
    id: 'hol',
    title: 'Head-of-line blocking',
    scenarios: ['head', 'hol', 'slow-handler', 'block'],
    steps: [
      {
        title: 'Several fds are ready',
        text: 'One wake-up, several ready connections: evio handles them one after the other.',
        find: (e) => e.kind === 'wait-return' && e.n > 1,
      },
      {
        title: 'A slow handler',
        text: 'This Data call takes long. It runs on the loop’s only thread, so the loop is busy (the teal bar)…',
        find: (e) => e.kind === 'handler' && e.durNs > 1e6,
      },
      {
        title: '…and everyone else waits',
        text: 'Only now do the other ready connections of this loop get their turn: their latency includes the slow handler. Connections of other loops were not affected.',
        find: (e) => e.kind === 'read' || e.kind === 'write',
      },
    ],
  },
  {
    id: 'claim',
    title: 'The write-loss claim (and why it is false)',
    scenarios: ['loss', 'claim', 'partial'],
    compareMode: 'read-first',
    steps: [
      {
        title: 'A partial write',
        text: 'The send buffer is full: output stays pending. The claim says the next read will overwrite it.',
        find: (e) => e.kind === 'write' && e.result === 'partial',
      },
      {
        title: 'The fd becomes readable',
        text: 'More input arrived. But while output is pending, evio’s dispatch picks write before read…',
        find: (e) => e.kind === 'wait-return' && e.n > 0,
      },
      {
        title: 'Write wins, every time',
        text: '…so this wake writes (or gets EAGAIN) instead of reading. Read never runs while output is pending: nothing can be overwritten.',
        find: (e) => e.kind === 'write',
      },
      {
        title: 'The verdict',
        text: 'The client checks every byte. In evio mode: all correct. Press “compare with read-first” to see the order the claim imagines lose bytes.',
        find: (e) => e.kind === 'client-verify',
      },
    ],
  },
  {
    id: 'wake',
    title: 'The real loss: Wake overwrites pending output',
    scenarios: ['wake'],
    compareMode: 'fixed-wake',
    steps: [
      {
        title: 'Output is pending',
        text: 'A large reply waits in the conn’s buffer (the send buffer is full).',
        find: (e) => e.kind === 'out' && e.pending > 0,
      },
      {
        title: 'Conn.Wake()',
        text: 'Another thread wakes the connection: a note is queued and the eventfd written.',
        find: (e) => e.kind === 'wake',
      },
      {
        title: 'Data(c, nil) replaces the output',
        text: 'Notes are handled before any fd, outside the dispatch switch, so write-before-read does not protect this path: the pending bytes are replaced.',
        find: (e) => e.kind === 'overwrite',
      },
      {
        title: 'The client notices',
        text: 'The client’s check finds the gap. fixed-wake appends instead and loses nothing.',
        find: (e) => e.kind === 'client-verify',
      },
    ],
  },
];

/** The tour for a scenario name, if any. */
export function tourFor(scenario: string | null | undefined): Tour | null {
  if (!scenario) return null;
  const s = scenario.toLowerCase();
  return TOURS.find((t) => t.scenarios.some((k) => s.includes(k))) ?? null;
}
