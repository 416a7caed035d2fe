/**
 * The trace contract: every kernel call and every decision of an evio-style loop, as one
 * discriminated union `TraceEvent` (tag `kind`).
 *
 * Engine (real kernel), simulator, server, web app and the strace importer all speak only this.
 * Field values are plain JSON: numbers, strings, booleans, null and arrays of numbers.
 *
 * Conventions:
 * - `seq` numbers events of one recording from 0 in recording order.
 * - `t` is a monotonic timestamp in nanoseconds since the trace started (one clock for all loops).
 * - `loop` is the loop index (0..loops-1); -1 is "not a loop": the server's own thread or a
 *   scenario client.
 * - A connection is `fd` + `gen`: the generation grows each time a fd number is handed to a new
 *   connection, so a reused fd number is never confused with its predecessor.
 * - Interest and readiness masks use epoll's bit values (see `EV`), whatever the kernel.
 * - `errno` is the symbolic name (`"EAGAIN"`, `"ECONNRESET"`) or null.
 */

/** The name written in every recording header. */
export const TRACE_FORMAT = 'loopscope-trace';
/** The version of the event schema and the recording format. */
export const TRACE_VERSION = 1;

/** epoll's event bits, used for interest and readiness masks in every event. */
export const EV = {
  IN: 0x001,
  PRI: 0x002,
  OUT: 0x004,
  ERR: 0x008,
  HUP: 0x010,
  RDHUP: 0x2000,
  EXCLUSIVE: 0x10000000,
  ET: 0x80000000,
} as const;

/** What a handler (an evio callback) returned as its action. */
export type ActionName = 'none' | 'detach' | 'close' | 'shutdown';
export const ACTION_NAMES: readonly ActionName[] = ['none', 'detach', 'close', 'shutdown'];

/** The evio callbacks. `wake` is `Data(c, nil)` run by `Conn.wake()`. */
export type HandlerName =
  | 'serving'
  | 'opened'
  | 'data'
  | 'wake'
  | 'closed'
  | 'detached'
  | 'prewrite'
  | 'tick';
export const HANDLER_NAMES: readonly HandlerName[] = [
  'serving',
  'opened',
  'data',
  'wake',
  'closed',
  'detached',
  'prewrite',
  'tick',
];

export type AcceptOutcome = 'won' | 'declined' | 'eagain' | 'error';
export const ACCEPT_OUTCOMES: readonly AcceptOutcome[] = ['won', 'declined', 'eagain', 'error'];

export type CtlOp = 'add' | 'mod' | 'del';
export const CTL_OPS: readonly CtlOp[] = ['add', 'mod', 'del'];

export type ReadResult = 'data' | 'eagain' | 'eof' | 'error';
export const READ_RESULTS: readonly ReadResult[] = ['data', 'eagain', 'eof', 'error'];

export type WriteResult = 'full' | 'partial' | 'eagain' | 'error';
export const WRITE_RESULTS: readonly WriteResult[] = ['full', 'partial', 'eagain', 'error'];

/** Why pending output changed size. */
export type OutCause = 'opened' | 'data' | 'wake' | 'write' | 'discard';
export const OUT_CAUSES: readonly OutCause[] = ['opened', 'data', 'wake', 'write', 'discard'];

/** Which path replaced output that was still pending. */
export type OverwritePath = 'wake' | 'read';
export const OVERWRITE_PATHS: readonly OverwritePath[] = ['wake', 'read'];

export type CloseReason = 'eof' | 'action' | 'error' | 'shutdown';
export const CLOSE_REASONS: readonly CloseReason[] = ['eof', 'action', 'error', 'shutdown'];

export type StopReason = 'shutdown' | 'error';
export const STOP_REASONS: readonly StopReason[] = ['shutdown', 'error'];

export type EventfdOp = 'read' | 'write';
export const EVENTFD_OPS: readonly EventfdOp[] = ['read', 'write'];

/** Fields every event has. */
export interface EventBase {
  /** Position in the recording, from 0. */
  seq: number;
  /** Nanoseconds since the trace started, monotonic across all loops. */
  t: number;
  /** Loop index, or -1 for the server's own thread and scenario clients. */
  loop: number;
}

/** A loop thread started: its epoll instance and its wake-up eventfd exist. */
export interface LoopStart extends EventBase {
  kind: 'loop-start';
  epfd: number;
  wakeFd: number;
  /** OS thread id where known, else the worker id; -1 if unknown. */
  thread: number;
}

/** A loop thread left its loop. */
export interface LoopStop extends EventBase {
  kind: 'loop-stop';
  reason: StopReason;
  error: string | null;
}

/** The loop is about to block in `epoll_wait`. */
export interface WaitEnter extends EventBase {
  kind: 'wait-enter';
  epfd: number;
  max: number;
  timeoutMs: number;
}

/**
 * `epoll_wait` returned. `ready` lists `[fd, mask]` pairs in kernel order (flattened:
 * fd0, mask0, fd1, mask1, ...). `n` is 0 on timeout and -1 on error (see `errno`, e.g. EINTR).
 */
export interface WaitReturn extends EventBase {
  kind: 'wait-return';
  n: number;
  ready: number[];
  errno: string | null;
  /** Nanoseconds spent blocked in the call; -1 if unknown. */
  blockedNs: number;
}

/** The loop drained its note queue after a wait (evio does this before any fd event). */
export interface NotesDrained extends EventBase {
  kind: 'notes';
  tick: number;
  wake: number;
  shutdown: number;
}

/** A read or write of a loop's eventfd (the wake-up channel between threads). */
export interface EventfdCall extends EventBase {
  kind: 'eventfd';
  op: EventfdOp;
  fd: number;
  /** For writes: the loop being woken. For reads: the reading loop. */
  target: number;
}

/** A listener fd was registered in this loop's epoll (its `ctl` event follows). */
export interface ListenerRegistered extends EventBase {
  kind: 'listener';
  fd: number;
  /** Index of the address in the serve call (evio's AddrIndex). */
  index: number;
  addr: string;
  network: string;
  reuseport: boolean;
}

/**
 * A loop woke for a listener and decided: `won` (accepted `fd`/`gen`), `declined` (the
 * balancer said it was another loop's turn: see `reason`), `eagain` (another loop was faster),
 * `error` (see `errno`).
 */
export interface AcceptAttempt extends EventBase {
  kind: 'accept';
  listenerFd: number;
  outcome: AcceptOutcome;
  fd: number | null;
  gen: number | null;
  remote: string | null;
  reason: string | null;
  errno: string | null;
}

/** loopOpened ran for a connection: the first event after accept. */
export interface ConnOpened extends EventBase {
  kind: 'opened';
  fd: number;
  gen: number;
  remote: string;
  local: string;
  addrIndex: number;
}

/**
 * `epoll_ctl`: interest of `fd` changed from `old` to `new` (0 = not registered). Its `t` is when
 * the loop made the call (strace's convention); the other kernel calls are stamped when they
 * returned, with what they returned.
 */
export interface EpollCtl extends EventBase {
  kind: 'ctl';
  epfd: number;
  op: CtlOp;
  fd: number;
  gen: number | null;
  old: number;
  new: number;
  errno: string | null;
}

/** One read (`read`/`recvfrom`/`readv`) of at most `max` bytes. */
export interface ReadCall extends EventBase {
  kind: 'read';
  fd: number;
  gen: number | null;
  sys: string;
  max: number;
  bytes: number;
  result: ReadResult;
  errno: string | null;
}

/** An evio callback ran for `durNs` nanoseconds, ending at `t`. */
export interface HandlerCall extends EventBase {
  kind: 'handler';
  handler: HandlerName;
  fd: number | null;
  gen: number | null;
  durNs: number;
  inBytes: number;
  outBytes: number;
  action: ActionName;
}

/** One write (`write`/`sendto`/`writev`) of `asked` bytes of which `written` were taken. */
export interface WriteCall extends EventBase {
  kind: 'write';
  fd: number;
  gen: number | null;
  sys: string;
  asked: number;
  written: number;
  result: WriteResult;
  errno: string | null;
}

/** The pending output of a connection is now `pending` bytes. */
export interface OutputChanged extends EventBase {
  kind: 'out';
  fd: number;
  gen: number;
  pending: number;
  cause: OutCause;
}

/** Output that was still pending was replaced: `lost` bytes will never be sent. */
export interface OutputOverwritten extends EventBase {
  kind: 'overwrite';
  fd: number;
  gen: number;
  lost: number;
  path: OverwritePath;
}

/** `Conn.wake()` queued a wake-up note for a connection. */
export interface WakeQueued extends EventBase {
  kind: 'wake';
  fd: number;
  gen: number;
}

/** A pending action was carried out (after all output was flushed). */
export interface ActionApplied extends EventBase {
  kind: 'action';
  fd: number;
  gen: number;
  action: ActionName;
}

/** A connection's fd was closed; `discarded` bytes of output were still pending. */
export interface ConnClosed extends EventBase {
  kind: 'close';
  fd: number;
  gen: number;
  reason: CloseReason;
  errno: string | null;
  discarded: number;
}

/** Any other syscall the loop made (fcntl, setsockopt, shutdown, socket, bind, listen...). */
export interface Syscall extends EventBase {
  kind: 'sys';
  name: string;
  fd: number | null;
  gen: number | null;
  ret: number;
  errno: string | null;
}

/**
 * Something evio would have crashed on or silently stopped for (an `epoll_ctl` failure, EMFILE
 * on accept). Loopscope traces it and goes on; `evio` says what evio would have done.
 */
export interface Fault extends EventBase {
  kind: 'fault';
  op: string;
  fd: number | null;
  errno: string | null;
  evio: string;
}

/** A scenario client connected; `local` is its address as the server sees it (remote). */
export interface ClientConnect extends EventBase {
  kind: 'client-connect';
  client: number;
  local: string;
}

/** A scenario client sent `bytes`. */
export interface ClientSend extends EventBase {
  kind: 'client-send';
  client: number;
  bytes: number;
}

/** A scenario client received `bytes`; `latencyNs` when this completed a reply, else -1. */
export interface ClientRecv extends EventBase {
  kind: 'client-recv';
  client: number;
  bytes: number;
  latencyNs: number;
}

/** A scenario client checked `bytes` it received against what it expected. */
export interface ClientVerify extends EventBase {
  kind: 'client-verify';
  client: number;
  bytes: number;
  mismatches: number;
  detail: string | null;
}

/** A scenario client's connection ended (`error` names how, or null for a clean close). */
export interface ClientClose extends EventBase {
  kind: 'client-close';
  client: number;
  error: string | null;
}

/**
 * What the kernel did for the accepts of a herd run, measured outside the loops (loop -1): over
 * `accepts` connections, `woken` loop wake-ups in all, of which `visible` returned from
 * `epoll_wait` with the listener ready. The rest were woken, found the connection already taken
 * and slept again inside `epoll_wait`: invisible to a trace, counted from each loop thread's
 * voluntary context switches.
 */
export interface HerdWakeups extends EventBase {
  kind: 'herd-wakeups';
  accepts: number;
  woken: number;
  visible: number;
}

/** A note in the timeline: a scenario phase, an explanation. */
export interface Mark extends EventBase {
  kind: 'mark';
  text: string;
}

/**
 * A syscall of the traced program that is not part of the loop model (imported logs: the Go
 * runtime's own poller, futex, mmap...). Kept so that nothing is silently lost; not counted
 * as a loop syscall.
 */
export interface OtherCall extends EventBase {
  kind: 'other';
  name: string;
  detail: string;
}

/** The last event of a complete recording. */
export interface TraceEnd extends EventBase {
  kind: 'end';
  /** Number of events before this one. */
  events: number;
}

export type TraceEvent =
  | LoopStart
  | LoopStop
  | WaitEnter
  | WaitReturn
  | NotesDrained
  | EventfdCall
  | ListenerRegistered
  | AcceptAttempt
  | ConnOpened
  | EpollCtl
  | ReadCall
  | HandlerCall
  | WriteCall
  | OutputChanged
  | OutputOverwritten
  | WakeQueued
  | ActionApplied
  | ConnClosed
  | Syscall
  | Fault
  | ClientConnect
  | ClientSend
  | ClientRecv
  | ClientVerify
  | ClientClose
  | HerdWakeups
  | Mark
  | OtherCall
  | TraceEnd;

export type TraceEventKind = TraceEvent['kind'];
export type EventOfKind<K extends TraceEventKind> = Extract<TraceEvent, { kind: K }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event before it is numbered: producers emit drafts, the recorder assigns `seq`. */
export type TraceEventDraft = DistributiveOmit<TraceEvent, 'seq'>;

/** Reports a value the type system says cannot exist: makes a `switch` on `kind` exhaustive. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}

/** Formats a mask such as `IN|OUT`. */
export function maskName(mask: number): string {
  if (mask === 0) return '-';
  const names: string[] = [];
  for (const [name, bit] of Object.entries(EV)) if ((mask & bit) >>> 0 === bit) names.push(name);
  return names.join('|');
}
