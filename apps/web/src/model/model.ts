/** Creating, cloning and looking into a `Model`. */
import type { ConnState, Counters, LoopState, Model } from './types';

const ZERO_COUNTERS: Counters = {
  events: 0,
  syscalls: 0,
  waits: 0,
  wakeups: 0,
  timeouts: 0,
  acceptsWon: 0,
  acceptsDeclined: 0,
  acceptsEagain: 0,
  ctlAdd: 0,
  ctlMod: 0,
  ctlDel: 0,
  reads: 0,
  readEagain: 0,
  writes: 0,
  writeEagain: 0,
  writePartial: 0,
  bytesRead: 0,
  bytesWritten: 0,
  bytesLost: 0,
  overwrites: 0,
  handlers: 0,
  faults: 0,
  closes: 0,
};

/** An empty model for `loops` loops (more are added when events name them). */
export function emptyModel(loops = 0): Model {
  const m: Model = {
    applied: 0,
    t: 0,
    lastSeq: -1,
    lastKind: null,
    loops: [],
    listeners: [],
    conns: [],
    races: [],
    nextRaceId: 0,
    lastClientConnectSeq: -1,
    clients: new Map(),
    counters: { ...ZERO_COUNTERS },
    eagainTimes: [],
    marks: [],
    ended: false,
  };
  for (let i = 0; i < loops; i++) ensureLoop(m, i);
  return m;
}

/** A deep copy: snapshots and the pure `reduce` start from one. */
export function cloneModel(m: Model): Model {
  return structuredClone(m);
}

/** The loop with this index, created on first mention. */
export function ensureLoop(m: Model, index: number): LoopState {
  while (m.loops.length <= index) {
    m.loops.push({
      index: m.loops.length,
      epfd: -1,
      wakeFd: -1,
      thread: -1,
      state: 'new',
      lastReady: 0,
      readyFds: [],
      wakeups: 0,
      wastedWakeups: 0,
      timeouts: 0,
      lastWakeSeq: -1,
      busy: null,
      branch: null,
      eagainWrites: 0,
      conns: 0,
      stopReason: null,
    });
    m.conns.push(new Map());
  }
  return m.loops[index]!;
}

/** A connection of a loop by fd, optionally checking its generation (stale events are ignored). */
export function findConn(m: Model, loop: number, fd: number, gen: number | null): ConnState | undefined {
  const c = m.conns[loop]?.get(fd);
  if (!c) return undefined;
  if (gen !== null && c.gen !== gen) return undefined;
  return c;
}

/** A new connection record. */
export function newConn(loop: number, fd: number, gen: number, remote: string, seq: number): ConnState {
  return {
    loop,
    fd,
    gen,
    remote,
    mask: 0,
    modCount: 0,
    lastModSeq: -1,
    phase: 'accepted',
    pending: 0,
    peakPending: 0,
    lost: 0,
    bytesIn: 0,
    bytesOut: 0,
    lastRead: null,
    lastWrite: null,
    eagainStreak: 0,
    action: 'none',
    busy: null,
    closeReason: null,
    closedSeq: seq,
  };
}

/** EAGAIN writes per second of trace time over the last second (the spin rate). */
export function eagainRate(m: Model): number {
  const from = m.t - 1e9;
  let n = 0;
  for (let i = m.eagainTimes.length - 1; i >= 0; i--) {
    if (m.eagainTimes[i]! < from) break;
    n++;
  }
  return n;
}

/** Every connection of every loop, live ones first. */
export function allConns(m: Model): ConnState[] {
  const out: ConnState[] = [];
  for (const map of m.conns) for (const c of map.values()) out.push(c);
  return out;
}
