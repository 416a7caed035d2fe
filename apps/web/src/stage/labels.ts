/**
 * The words and colors of the stage, from plain values: what the canvas draws and what its
 * description for screen readers says are the same strings.
 */
import type { BusyInfo, ClientState, ConnState, ListenerState, LoopState } from '../model/types';
import { C, fmtBytes, fmtNs, maskShort } from '../theme';
import type { LaneData, StageData } from './stage-data';

export interface Label {
  text: string;
  color: string;
}

/** This loop's part in the latest accept race: `accept: WON`, `accept → EAGAIN ×3`... */
export function raceBadge(d: LaneData): Label | null {
  const r = d.race;
  if (!r) return null;
  const tries = r.tries > 1 ? ` ×${r.tries}` : '';
  switch (r.outcome) {
    case 'won':
      return { text: `accept: WON${tries}`, color: C.accept };
    case 'declined':
      return { text: `declined${tries}${r.reason ? `: ${r.reason}` : ''}`, color: C.dim };
    case 'eagain':
      return { text: `accept → EAGAIN${tries}`, color: C.eagain };
    case 'error':
      return { text: `accept → ${r.errno ?? 'error'}`, color: C.lost };
  }
}

/** This loop's part in the latest accept race, in words ('' if it took no part). */
export function raceWords(d: LaneData): string {
  const r = d.race;
  if (!r) return '';
  const tries = r.tries > 1 ? ` (${r.tries} tries)` : '';
  switch (r.outcome) {
    case 'won':
      return ` Won the latest accept race${tries}.`;
    case 'declined':
      return ` Declined the latest accept race${tries}${r.reason ? `: ${r.reason}` : ''}.`;
    case 'eagain':
      return ` Lost the latest accept race: accept returned EAGAIN${tries}.`;
    case 'error':
      return ` Accept failed in the latest race: ${r.errno ?? 'error'}.`;
  }
}

/** `blocked in epoll_wait`, `awake: 3 ready`, `stopped (shutdown)`, `starting`. */
export function loopState(l: LoopState): string {
  switch (l.state) {
    case 'waiting':
      return 'blocked in epoll_wait';
    case 'awake':
      return `awake: ${l.lastReady} ready`;
    case 'stopped':
      return `stopped (${l.stopReason ?? ''})`;
    default:
      return 'starting';
  }
}

export const loopFds = (l: LoopState) =>
  `epoll ${l.epfd >= 0 ? l.epfd : '?'} · wake ${l.wakeFd >= 0 ? l.wakeFd : '?'}`;

export const loopCounts = (l: LoopState) => `${l.wakeups} wakes · ${l.conns} conn${l.conns === 1 ? '' : 's'}`;

/** A handler that ran for more than 1 ms: head-of-line blocking. */
export function longBusy(b: BusyInfo | null): BusyInfo | null {
  return b && b.durNs >= 1e6 ? b : null;
}

export const busyText = (b: BusyInfo) =>
  `busy in ${b.handler}() for ${fmtNs(b.durNs)}: the other conns of this loop wait`;

/** A connection's last operation. */
export function connLabel(c: ConnState, fromLog: boolean): Label {
  if (c.phase === 'closed') return { text: c.closeReason ?? 'closed', color: C.faint };
  if (c.lastWrite?.result === 'eagain') return { text: `write EAGAIN ×${c.eagainStreak}`, color: C.eagain };
  if (c.lastWrite && c.pending > 0) return { text: `wrote ${fmtBytes(c.lastWrite.written)}`, color: C.write };
  if (c.lastRead) {
    const r = c.lastRead;
    return r.result === 'data'
      ? { text: `read ${fmtBytes(r.bytes)}`, color: C.read }
      : { text: `read ${r.result.toUpperCase()}`, color: r.result === 'eagain' ? C.eagain : C.dim };
  }
  if (c.phase === 'accepted') return { text: fromLog ? 'accepted' : 'accepted, not opened', color: C.dim };
  return { text: c.phase, color: C.dim };
}

/** A connection's output line: lost bytes, else pending output, else bytes read. */
export function connOut(c: ConnState): Label {
  if (c.lost > 0) return { text: `lost ${fmtBytes(c.lost)}`, color: C.lost };
  return { text: c.pending > 0 ? `out ${fmtBytes(c.pending)}` : `${fmtBytes(c.bytesIn)} in`, color: C.dim };
}

/** Whether the interest mask changed in the last few events: its badge is lit. */
export const modLit = (c: ConnState, seq: number) => c.lastModSeq >= 0 && seq - c.lastModSeq <= 3;

/** An imported log never shows the bound address: `addr ?`. */
export const listenerAddr = (l: ListenerState) => (l.addr === 'unknown' || l.addr === '' ? 'addr ?' : l.addr);

/** `3 loops`, and `· EXCL` if registered with EPOLLEXCLUSIVE. */
export function listenerLoops(l: ListenerState): string {
  const loops = `${l.loops.length} loop${l.loops.length === 1 ? '' : 's'}`;
  return l.exclusive ? `${loops} · EXCL` : loops;
}

export const clientTitle = (c: ClientState) =>
  `client ${c.id}${c.closed ? (c.error ? ` · ${c.error}` : ' · closed') : ''}`;

export const clientBytes = (c: ClientState) => `↑${fmtBytes(c.sent)} ↓${fmtBytes(c.received)} `;

/**
 * The client's verdict: mismatches, or the bytes verified (`✓ all` when that is everything it
 * received, which keeps the line inside the card at any size).
 */
export function clientVerdict(c: ClientState): Label {
  if (c.mismatches) return { text: `✗ ${c.mismatches} bad`, color: C.lost };
  if (!c.verified) return { text: '', color: C.write };
  return { text: c.verified === c.received ? '✓ all' : `✓ ${fmtBytes(c.verified)}`, color: C.write };
}

export function clientsTitle(d: StageData): string {
  if (d.clients.length) return `CLIENTS (${d.clients.length})`;
  return d.mode === 'strace' ? 'CLIENTS: not in an strace log' : '';
}

/** The items of the stage's top line: key, value, value color, test id. */
export function topItems(d: StageData): { k: string; v: string; color: string; id: string }[] {
  return [
    { k: 'mode', v: d.mode, color: C.text, id: 'stage-mode' },
    {
      k: 'EAGAIN spin',
      v: `${d.eagain} writes · ${d.eagainRate}/s`,
      color: d.eagain ? C.eagain : C.dim,
      id: 'eagain-spin',
    },
    { k: 'bytes lost', v: fmtBytes(d.lost), color: d.lost ? C.lost : C.dim, id: 'bytes-lost' },
  ];
}

/** `accept race #4: 3 loops woke → loop 1 won fd 9`, or '' before any race. */
export function raceText(d: StageData): string {
  const race = d.race;
  if (!race) return '';
  const n = race.entries.length;
  return `accept race #${race.id}: ${n} loop${n > 1 ? 's' : ''} woke → ${
    race.winner !== null ? `loop ${race.winner} won fd ${race.fd}` : 'nobody yet'
  }`;
}

/** The interest mask in words. */
const maskWords = (mask: number) =>
  mask & 4 ? 'read and write' : mask & 1 ? 'read' : mask === 0 ? 'none' : 'other';

/** A connection in one sentence (its node on the canvas, in words). */
export function connSentence(c: ConnState, fromLog: boolean): string {
  const parts = [
    `fd ${c.fd}`,
    `interest ${maskShort(c.mask)} (${maskWords(c.mask)})`,
    connLabel(c, fromLog).text,
  ];
  parts.push(connOut(c).text);
  if (c.phase !== 'closed' && c.pending > 0 && c.lastWrite?.result === 'eagain')
    parts.push('writes get EAGAIN');
  return `${parts.join(', ')}.`;
}

/** A client in one sentence. */
export function clientSentence(c: ClientState): string {
  const verdict = c.mismatches
    ? `${c.mismatches} mismatching bytes`
    : c.verified
      ? `${fmtBytes(c.verified)} verified`
      : 'nothing verified yet';
  return `${clientTitle(c)}: sent ${fmtBytes(c.sent)}, received ${fmtBytes(c.received)}, ${verdict}.`;
}

/** A loop in one sentence: fds, state, counts, a long handler, connections not listed. */
export function laneSentence(d: LaneData): string {
  const l = d.loop;
  const thread = l.thread >= 0 ? `, thread ${l.thread}` : '';
  const busy = longBusy(l.busy);
  return `loop ${l.index}${thread} (${loopFds(l)}): ${loopState(l)}; ${loopCounts(l)}.${
    busy ? ` ${busyText(busy)}.` : ''
  }${d.hidden > 0 ? ` ${d.hidden} more connections not listed.` : ''}`;
}

/** A listener in one sentence. */
export const listenerSentence = (l: ListenerState) =>
  `listener fd ${l.fd}, ${listenerAddr(l)}, watched by ${listenerLoops(l)}.`;
