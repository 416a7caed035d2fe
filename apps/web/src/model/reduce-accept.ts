/** Groups accept attempts into races: one race per new connection, every loop that woke for it. */
import type { AcceptAttempt } from '@loopscope/trace';
import type { AcceptRace, Model } from './types';

/** Races kept in the model (older ones are in the trace). */
export const MAX_RACES = 12;

function currentRace(m: Model, listenerFd: number): AcceptRace | undefined {
  for (let i = m.races.length - 1; i >= 0; i--) {
    const r = m.races[i]!;
    if (r.listenerFd === listenerFd) return r;
  }
  return undefined;
}

function startRace(m: Model, ev: AcceptAttempt): AcceptRace {
  const race: AcceptRace = {
    id: m.nextRaceId++,
    listenerFd: ev.listenerFd,
    startSeq: ev.seq,
    winner: null,
    winSeq: null,
    fd: null,
    gen: null,
    entries: [],
  };
  m.races.push(race);
  if (m.races.length > MAX_RACES) m.races.shift();
  return race;
}

/**
 * Adds an attempt to the race for its listener: one race per new connection. A second win is a
 * new connection. After a win, a loss belongs to the won race (a loop woken for it that lost)
 * until a scenario client connects again; in a trace without clients (an imported log), a loop
 * that already took part tries again for the next connection unless it only declined or got EAGAIN.
 */
export function applyAccept(m: Model, ev: AcceptAttempt): AcceptRace {
  let race = currentRace(m, ev.listenerFd);
  const mine = race?.entries.find((e) => e.loop === ev.loop);
  let isNew: boolean;
  if (!race) isNew = true;
  else if (race.winSeq === null) isNew = false;
  else if (ev.outcome === 'won' || ev.loop === race.winner) isNew = true;
  else if (m.lastClientConnectSeq >= 0) isNew = m.lastClientConnectSeq > race.winSeq;
  else isNew = mine !== undefined && mine.outcome !== 'declined' && ev.outcome !== 'eagain';
  if (isNew || !race) race = startRace(m, ev);
  const entry = race.entries.find((e) => e.loop === ev.loop);
  if (entry) {
    entry.tries++;
    entry.seq = ev.seq;
    // A decline followed by a win or EAGAIN in the same race: the latest outcome is what counts.
    entry.outcome = ev.outcome;
    entry.reason = ev.reason;
    entry.errno = ev.errno;
  } else {
    race.entries.push({
      loop: ev.loop,
      outcome: ev.outcome,
      reason: ev.reason,
      errno: ev.errno,
      tries: 1,
      seq: ev.seq,
    });
  }
  if (ev.outcome === 'won') {
    race.winner = ev.loop;
    race.winSeq = ev.seq;
    race.fd = ev.fd;
    race.gen = ev.gen;
  }
  return race;
}
