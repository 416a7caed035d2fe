/** Plain values the stage draws, derived from the model (the drawing never reads the store). */
import { eagainRate } from '../model/model';
import type {
  AcceptEntry,
  AcceptRace,
  ClientState,
  ConnState,
  ListenerState,
  LoopState,
  Model,
} from '../model/types';

export interface LaneData {
  loop: LoopState;
  conns: ConnState[];
  hidden: number;
  /** This loop's part in the latest accept race, if it took part. */
  race: AcceptEntry | null;
  ready: boolean;
  /** The trace was imported from a log: no handler events, so no `opened` either. */
  fromLog: boolean;
}

export interface StageData {
  lanes: LaneData[];
  listeners: ListenerState[];
  race: AcceptRace | null;
  clients: ClientState[];
  eagain: number;
  eagainRate: number;
  lost: number;
  mode: string;
  /** seq of the current event: drives the pulses. */
  seq: number;
  /** The loop and fd the current event is about (highlighted). */
  focusLoop: number;
  focusFd: number | null;
}

/** Connections shown per lane at most; the rest are counted. */
export const MAX_CONNS_PER_LANE = 24;

function connOrder(a: ConnState, b: ConnState): number {
  const ca = a.phase === 'closed' ? 1 : 0;
  const cb = b.phase === 'closed' ? 1 : 0;
  return ca - cb || a.fd - b.fd;
}

export function stageData(m: Model, mode: string, focusFd: number | null, focusLoop: number): StageData {
  const race = m.races.length ? m.races[m.races.length - 1]! : null;
  const lanes = m.loops.map((loop, i): LaneData => {
    const all = [...(m.conns[i]?.values() ?? [])].sort(connOrder);
    return {
      loop,
      conns: all.slice(0, MAX_CONNS_PER_LANE),
      hidden: Math.max(0, all.length - MAX_CONNS_PER_LANE),
      race: race?.entries.find((e) => e.loop === i) ?? null,
      ready: loop.state === 'awake' && loop.lastReady > 0,
      fromLog: mode === 'strace',
    };
  });
  return {
    lanes,
    listeners: m.listeners,
    race,
    clients: [...m.clients.values()].sort((a, b) => a.id - b.id),
    eagain: m.counters.writeEagain,
    eagainRate: eagainRate(m),
    lost: m.counters.bytesLost,
    mode,
    seq: m.lastSeq,
    focusLoop,
    focusFd,
  };
}
