/**
 * Summary numbers of a recording, computed in one streaming pass. The definitions are written
 * on each field and mean the same for engine recordings, simulator runs and imported strace
 * logs, so the numbers of a real evio run and of Loopscope's loop can be compared directly.
 */
import type { TraceEvent } from './events';
import type { TraceHeader } from './header';

import type { LoopStats, TraceStats } from './stats-types';

export type { LoopStats, TraceStats } from './stats-types';

type Counters = Omit<
  TraceStats,
  | 'loops'
  | 'connections'
  | 'listenerWakeupsPerAccept'
  | 'kernelWakeupsPerAccept'
  | 'syscallsPerRequest'
  | 'ctlModPerRequest'
  | 'latencyP50Ns'
  | 'latencyP99Ns'
  | 'durationNs'
  | 'eagainWritesPerSecond'
  | 'complete'
  | 'perLoop'
>;

/** State kept per open connection, keyed by fd. */
interface ConnState {
  gen: number;
  loop: number;
  /** Whether the connection had its first read. */
  read: boolean;
  /** Whether its pre-first-read MOD was already discounted. */
  excused: boolean;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * Computes `TraceStats` one event at a time, in bounded memory except for one 8-byte latency
 * sample per reply (exact percentiles need them all).
 */
export class StatsAccumulator {
  private readonly header: TraceHeader | null;
  private readonly c: Counters = {
    events: 0,
    wakeups: 0,
    acceptsWon: 0,
    acceptsDeclined: 0,
    acceptsEagain: 0,
    acceptsError: 0,
    ctlAdd: 0,
    ctlMod: 0,
    ctlDel: 0,
    reads: 0,
    writes: 0,
    writesEagain: 0,
    partialWrites: 0,
    bytesRead: 0,
    bytesWritten: 0,
    outputBytesOverwritten: 0,
    closes: 0,
    syscalls: 0,
    requests: 0,
    clientBytesSent: 0,
    clientBytesVerified: 0,
    clientMismatches: 0,
  };
  private readonly perLoop: LoopStats[] = [];
  private readonly open = new Map<number, ConnState>();
  private readonly openPerLoop: number[] = [];
  private readonly listenerFds = new Set<number>();
  /** Waits with a listener fd in their ready list, counted when the fd was known as a listener. */
  private listenerWaits = 0;
  /**
   * Waits whose ready fds were not (yet) known listeners, per fd: promoted when the fd turns out
   * to be a listener (strace logs only reveal a listener at its first accept).
   */
  private readonly unknownReadyWaits = new Map<number, number>();
  private excusedMods = 0;
  /** Sums over `herd-wakeups` events. */
  private herdAccepts = 0;
  private herdWoken = 0;
  private latencies = new Float64Array(1024);
  private latencyCount = 0;
  private firstT = -1;
  private lastT = 0;
  private ended = false;

  /** @param header the recording's header, for the loop count (optional). */
  constructor(header: TraceHeader | null = null) {
    this.header = header;
  }

  /**
   * An accumulator from a structured clone of one (`structuredClone`, or one sent with
   * `postMessage`): it goes on from where the original was, so the events of a recording can be
   * counted by one thread up to a point and by another after it. (The accumulator holds plain
   * data only, which a structured clone copies whole.)
   */
  static revive(copy: StatsAccumulator): StatsAccumulator {
    return Object.assign(Object.create(StatsAccumulator.prototype) as StatsAccumulator, copy);
  }

  private loopStats(loop: number): LoopStats | null {
    if (loop < 0) return null;
    for (let i = this.perLoop.length; i <= loop; i++) {
      this.perLoop.push({
        loop: i,
        waits: 0,
        wakeups: 0,
        acceptsWon: 0,
        acceptsDeclined: 0,
        acceptsEagain: 0,
        connections: 0,
        peakOpenConnections: 0,
        requests: 0,
        syscalls: 0,
      });
      this.openPerLoop.push(0);
    }
    return this.perLoop[loop]!;
  }

  private addListener(fd: number): void {
    if (this.listenerFds.has(fd)) return;
    this.listenerFds.add(fd);
    const earlier = this.unknownReadyWaits.get(fd);
    if (earlier !== undefined) {
      this.listenerWaits += earlier;
      this.unknownReadyWaits.delete(fd);
    }
  }

  private waitReturn(ready: number[], ls: LoopStats | null): void {
    if (ls !== null) ls.waits++;
    if (ready.length === 0) return;
    this.c.wakeups++;
    if (ls !== null) ls.wakeups++;
    for (let i = 0; i < ready.length; i += 2) {
      if (this.listenerFds.has(ready[i]!)) {
        this.listenerWaits++;
        return;
      }
    }
    for (let i = 0; i < ready.length; i += 2) {
      const fd = ready[i]!;
      // Once per wait: skip an fd already listed earlier in this ready list.
      let dup = false;
      for (let j = 0; j < i; j += 2) if (ready[j] === fd) dup = true;
      if (!dup) this.unknownReadyWaits.set(fd, (this.unknownReadyWaits.get(fd) ?? 0) + 1);
    }
  }

  private connectionOpened(fd: number, gen: number, loop: number, ls: LoopStats | null): void {
    // Readiness seen on this fd number so far belonged to something else: it is no listener.
    this.unknownReadyWaits.delete(fd);
    this.open.set(fd, { gen, loop, read: false, excused: false });
    if (ls !== null) {
      ls.acceptsWon++;
      ls.connections++;
      const n = ++this.openPerLoop[loop]!;
      if (n > ls.peakOpenConnections) ls.peakOpenConnections = n;
    }
  }

  private connectionClosed(fd: number, gen: number): void {
    this.unknownReadyWaits.delete(fd);
    const st = this.open.get(fd);
    if (st === undefined || st.gen !== gen) return;
    this.open.delete(fd);
    if (st.loop >= 0 && this.openPerLoop[st.loop]! > 0) this.openPerLoop[st.loop]!--;
  }

  private addLatency(ns: number): void {
    if (this.latencyCount === this.latencies.length) {
      const bigger = new Float64Array(this.latencies.length * 2);
      bigger.set(this.latencies);
      this.latencies = bigger;
    }
    this.latencies[this.latencyCount++] = ns;
  }

  /** Adds one event (in recording order). */
  add(ev: TraceEvent): void {
    const c = this.c;
    c.events++;
    if (this.firstT < 0) this.firstT = ev.t;
    this.lastT = ev.t;
    const ls = this.loopStats(ev.loop);
    let syscall = 1;
    switch (ev.kind) {
      case 'wait-return':
        this.waitReturn(ev.n > 0 ? ev.ready : [], ls);
        if (ev.n > 0 && ev.ready.length === 0) {
          c.wakeups++;
          if (ls !== null) ls.wakeups++;
        }
        break;
      case 'listener':
        this.addListener(ev.fd);
        syscall = 0;
        break;
      case 'accept':
        this.addListener(ev.listenerFd);
        if (ev.outcome === 'won') {
          c.acceptsWon++;
          if (ev.fd !== null) this.connectionOpened(ev.fd, ev.gen ?? -1, ev.loop, ls);
          else if (ls !== null) {
            ls.acceptsWon++;
            ls.connections++;
          }
        } else if (ev.outcome === 'declined') {
          c.acceptsDeclined++;
          if (ls !== null) ls.acceptsDeclined++;
          syscall = 0;
        } else if (ev.outcome === 'eagain') {
          c.acceptsEagain++;
          if (ls !== null) ls.acceptsEagain++;
        } else c.acceptsError++;
        break;
      case 'ctl':
        if (ev.op === 'add') c.ctlAdd++;
        else if (ev.op === 'del') c.ctlDel++;
        else {
          c.ctlMod++;
          const st = this.open.get(ev.fd);
          if (st !== undefined && st.gen === ev.gen && !st.read && !st.excused) {
            st.excused = true;
            this.excusedMods++;
          }
        }
        break;
      case 'read': {
        c.reads++;
        c.bytesRead += ev.bytes;
        const st = this.open.get(ev.fd);
        if (st !== undefined && st.gen === ev.gen) st.read = true;
        if (ev.result === 'data' && ev.gen !== null) {
          c.requests++;
          if (ls !== null) ls.requests++;
        }
        break;
      }
      case 'write':
        c.writes++;
        c.bytesWritten += ev.written;
        if (ev.result === 'eagain') c.writesEagain++;
        else if (ev.result === 'partial') c.partialWrites++;
        break;
      case 'close':
        c.closes++;
        this.connectionClosed(ev.fd, ev.gen);
        break;
      case 'sys':
      case 'eventfd':
        break;
      case 'overwrite':
        c.outputBytesOverwritten += ev.lost;
        syscall = 0;
        break;
      case 'client-send':
        c.clientBytesSent += ev.bytes;
        syscall = 0;
        break;
      case 'client-recv':
        if (ev.latencyNs >= 0) this.addLatency(ev.latencyNs);
        syscall = 0;
        break;
      case 'client-verify':
        if (ev.mismatches === 0) c.clientBytesVerified += ev.bytes;
        c.clientMismatches += ev.mismatches;
        syscall = 0;
        break;
      case 'herd-wakeups':
        this.herdAccepts += ev.accepts;
        this.herdWoken += ev.woken;
        syscall = 0;
        break;
      case 'end':
        this.ended = true;
        syscall = 0;
        break;
      default:
        syscall = 0;
    }
    if (syscall === 1) {
      c.syscalls++;
      if (ls !== null) ls.syscalls++;
    }
  }

  /** The numbers so far (may be called more than once). */
  result(): TraceStats {
    const c = this.c;
    const lat = this.latencies.slice(0, this.latencyCount).sort();
    const durationNs = c.events > 1 ? this.lastT - this.firstT : 0;
    const loops = this.header?.loops ?? this.perLoop.length;
    while (this.perLoop.length < loops) this.loopStats(this.perLoop.length);
    return {
      ...c,
      loops,
      connections: c.acceptsWon,
      listenerWakeupsPerAccept: c.acceptsWon > 0 ? this.listenerWaits / c.acceptsWon : 0,
      kernelWakeupsPerAccept: this.herdAccepts > 0 ? this.herdWoken / this.herdAccepts : null,
      syscallsPerRequest: c.requests > 0 ? c.syscalls / c.requests : 0,
      ctlModPerRequest: c.requests > 0 ? (c.ctlMod - this.excusedMods) / c.requests : 0,
      latencyP50Ns: percentile(lat, 50),
      latencyP99Ns: percentile(lat, 99),
      durationNs,
      eagainWritesPerSecond: durationNs > 0 ? c.writesEagain / (durationNs / 1e9) : 0,
      complete: this.ended,
      perLoop: this.perLoop.map((l) => ({ ...l })),
    };
  }
}

/** Stats of a recording held in memory. */
export function computeStats(header: TraceHeader | null, events: Iterable<TraceEvent>): TraceStats {
  const acc = new StatsAccumulator(header);
  for (const ev of events) acc.add(ev);
  return acc.result();
}
