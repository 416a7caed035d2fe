/** The result types of `stats.ts`, each field with its definition. */

/** Per-loop counts (index = loop). */
export interface LoopStats {
  loop: number;
  /** wait-return events of this loop. */
  waits: number;
  /** wait-return events with n > 0. */
  wakeups: number;
  acceptsWon: number;
  acceptsDeclined: number;
  acceptsEagain: number;
  /** Connections placed on this loop (= its accepts won). */
  connections: number;
  /** Most connections open on this loop at once (accept won +1, close -1). */
  peakOpenConnections: number;
  /** Reads with result `data` on a connection. */
  requests: number;
  /** Syscalls of this loop (same definition as `TraceStats.syscalls`). */
  syscalls: number;
}

/** What `computeStats` / `StatsAccumulator` report. */
export interface TraceStats {
  /** Every event of the recording, `end` included. */
  events: number;
  /** The header's loop count; without a header, the highest loop index seen + 1. */
  loops: number;
  /** Connections accepted: equal to `acceptsWon`. */
  connections: number;
  /** wait-return events with n > 0 (a wake-up with something to do). */
  wakeups: number;
  /** accept events with outcome `won`. */
  acceptsWon: number;
  /** accept events with outcome `declined` (the balancer said no; no accept syscall was made). */
  acceptsDeclined: number;
  /** accept events with outcome `eagain` (another loop took the connection first). */
  acceptsEagain: number;
  /** accept events with outcome `error`. */
  acceptsError: number;
  /**
   * wait-return events whose ready list holds a listener fd (counted once per wait), divided by
   * `acceptsWon`; 0 if none. Listener fds are those named by `listener` events plus every
   * `accept.listenerFd`. 1 means no herd; 4 loops in a full herd give 4.
   */
  listenerWakeupsPerAccept: number;
  /**
   * From `herd-wakeups` events (summed): loops the kernel woke per accepted connection, those
   * that slept again inside epoll_wait without returning included; null if the recording has
   * none (only the real-kernel herd scenario measures it). 1 means no herd.
   */
  kernelWakeupsPerAccept: number | null;
  /** ctl events with op `add`. */
  ctlAdd: number;
  /** ctl events with op `mod`. */
  ctlMod: number;
  /** ctl events with op `del`. */
  ctlDel: number;
  /** read events, any result. */
  reads: number;
  /** write events, any result. */
  writes: number;
  /** write events with result `eagain`. */
  writesEagain: number;
  /** write events with result `partial`. */
  partialWrites: number;
  /** Sum of read.bytes. */
  bytesRead: number;
  /** Sum of write.written. */
  bytesWritten: number;
  /** Sum of overwrite.lost: output bytes replaced before they were sent. */
  outputBytesOverwritten: number;
  /** close events (connections closed by the loop). */
  closes: number;
  /**
   * Syscalls of the loop model: wait-return + accept (outcomes won, eagain, error; a decline
   * makes no syscall) + ctl + read + write + sys + close + eventfd. `other` events are not counted.
   */
  syscalls: number;
  /** read events with result `data` on a connection (gen !== null). */
  requests: number;
  /** syscalls / requests (0 if no requests). */
  syscallsPerRequest: number;
  /**
   * (ctlMod minus, for each connection, one MOD made before that connection's first read: evio's
   * MOD to read-only after Opened) / requests; 0 if no requests. evio's echo gives 2.
   */
  ctlModPerRequest: number;
  /** Sum of client-send.bytes. */
  clientBytesSent: number;
  /** Sum of client-verify.bytes of checks with 0 mismatches. */
  clientBytesVerified: number;
  /** Sum of client-verify.mismatches. */
  clientMismatches: number;
  /** Median of client-recv.latencyNs >= 0 (nearest rank), null if there are none. */
  latencyP50Ns: number | null;
  /** 99th percentile of client-recv.latencyNs >= 0 (nearest rank), null if there are none. */
  latencyP99Ns: number | null;
  /** t of the last event minus t of the first (0 for fewer than 2 events). */
  durationNs: number;
  /** writesEagain per second of `durationNs` (0 if the duration is 0). */
  eagainWritesPerSecond: number;
  /** Whether the recording ended with an `end` event. */
  complete: boolean;
  /** Per-loop counts, index = loop (loop -1, the server and clients, is not included). */
  perLoop: LoopStats[];
}
