/**
 * The model the views draw: what a learner should see of the loops at one point of a trace.
 * Built only by `reduce` (./reduce.ts) from trace events; plain data (Maps, arrays, numbers) so it
 * can be cloned for snapshots.
 */
import type {
  AcceptOutcome,
  ActionName,
  HandlerName,
  ReadResult,
  TraceEventKind,
  WriteResult,
} from '@loopscope/trace';

/** The evio branch (one small named function in the loop code) that produced the last event. */
export type BranchName =
  | 'loopRun'
  | 'loopAccept'
  | 'loopOpened'
  | 'loopRead'
  | 'loopWrite'
  | 'loopAction'
  | 'loopNote'
  | 'loopWake'
  | 'loopCloseConn';

/** A handler call, kept to show a busy loop until it blocks again. */
export interface BusyInfo {
  handler: HandlerName;
  fd: number | null;
  durNs: number;
  seq: number;
}

export interface LoopState {
  index: number;
  epfd: number;
  wakeFd: number;
  thread: number;
  /** `waiting`: blocked in epoll_wait; `awake`: handling a batch. */
  state: 'new' | 'waiting' | 'awake' | 'stopped';
  lastReady: number;
  /** fds of the last ready list, in kernel order. */
  readyFds: number[];
  wakeups: number;
  /** Wake-ups that returned nothing useful for this loop (timeouts excluded): declines and EAGAIN. */
  wastedWakeups: number;
  timeouts: number;
  /** seq of the last wait-return: the stage pulses when it changes. */
  lastWakeSeq: number;
  busy: BusyInfo | null;
  branch: BranchName | null;
  eagainWrites: number;
  conns: number;
  stopReason: string | null;
}

export interface ListenerState {
  fd: number;
  addr: string;
  index: number;
  network: string;
  reuseport: boolean;
  /** Registered with EPOLLEXCLUSIVE in some epoll: the kernel wakes one of its waiters per connection. */
  exclusive: boolean;
  /** Loops whose epoll watches this listener. */
  loops: number[];
}

export type ConnPhase = 'accepted' | 'open' | 'writing' | 'acting' | 'closed';

export interface ConnState {
  loop: number;
  fd: number;
  gen: number;
  remote: string;
  /** epoll interest mask (EV bits). */
  mask: number;
  modCount: number;
  /** seq of the last epoll_ctl MOD: the stage flashes the mask when it changes. */
  lastModSeq: number;
  phase: ConnPhase;
  pending: number;
  /** Largest pending output seen: the scale of the output bar. */
  peakPending: number;
  lost: number;
  bytesIn: number;
  bytesOut: number;
  lastRead: { result: ReadResult; bytes: number } | null;
  lastWrite: { result: WriteResult; asked: number; written: number } | null;
  /** EAGAIN writes in a row (reset by any write that takes bytes). */
  eagainStreak: number;
  action: ActionName;
  busy: BusyInfo | null;
  closeReason: string | null;
  closedSeq: number;
}

export interface AcceptEntry {
  loop: number;
  outcome: AcceptOutcome;
  reason: string | null;
  errno: string | null;
  /** How many times this loop tried in this race (declining loops spin). */
  tries: number;
  seq: number;
}

/** One new connection and every loop that woke for it. */
export interface AcceptRace {
  id: number;
  listenerFd: number;
  startSeq: number;
  winner: number | null;
  /** seq of the winning accept. */
  winSeq: number | null;
  fd: number | null;
  gen: number | null;
  entries: AcceptEntry[];
}

export interface ClientState {
  id: number;
  local: string;
  sent: number;
  received: number;
  verified: number;
  mismatches: number;
  detail: string | null;
  replies: number;
  lastLatencyNs: number;
  closed: boolean;
  error: string | null;
}

export interface Counters {
  events: number;
  syscalls: number;
  waits: number;
  wakeups: number;
  timeouts: number;
  acceptsWon: number;
  acceptsDeclined: number;
  acceptsEagain: number;
  ctlAdd: number;
  ctlMod: number;
  ctlDel: number;
  reads: number;
  readEagain: number;
  writes: number;
  writeEagain: number;
  writePartial: number;
  bytesRead: number;
  bytesWritten: number;
  bytesLost: number;
  overwrites: number;
  handlers: number;
  faults: number;
  closes: number;
}

export interface Model {
  /** Events applied so far (the cursor). */
  applied: number;
  /** Trace time of the last applied event, ns. */
  t: number;
  lastSeq: number;
  lastKind: TraceEventKind | null;
  loops: LoopState[];
  listeners: ListenerState[];
  /** Connections per loop, keyed by fd (the current generation of that fd). */
  conns: Map<number, ConnState>[];
  races: AcceptRace[];
  nextRaceId: number;
  /** seq of the last scenario client's connect (-1: none, e.g. an imported log). */
  lastClientConnectSeq: number;
  clients: Map<number, ClientState>;
  counters: Counters;
  /** Trace times of recent EAGAIN writes (for the spin rate). */
  eagainTimes: number[];
  marks: { seq: number; text: string }[];
  ended: boolean;
}
