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
    fd: null,
    gen: null,
    entries: [],
  };
  m.races.push(race);
  if (m.races.length > MAX_RACES) m.races.shift();
  return race;
}

/**
 * Adds an attempt to the race for its listener. A new race starts when a loop wins a listener
 * whose current race already has a winner, or when a loop that already lost the current race
 * (won elsewhere, EAGAIN) tries again after that race was won: both mean a new connection.
 */
export function applyAccept(m: Model, ev: AcceptAttempt): AcceptRace {
  let race = currentRace(m, ev.listenerFd);
  const mine = race?.entries.find((e) => e.loop === ev.loop);
  const isNew =
    !race ||
    (ev.outcome === 'won' && race.winner !== null) ||
    (race.winner !== null && mine !== undefined && mine.outcome !== 'declined' && ev.outcome !== 'eagain');
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
    race.fd = ev.fd;
    race.gen = ev.gen;
  }
  return race;
}
