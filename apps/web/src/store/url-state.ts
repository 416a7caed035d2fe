/**
 * The URL holds the view: source, recording, scenario, mode, loops, balance, seed, parameters
 * and position, so a link reproduces what its sender saw.
 */
import { loadSimEngine } from '../sources/sim-engine';
import type { RunParams } from '../sources/types';
import { EXAMPLES } from './catalog';
import { openLive, openSim, replayExample, replayServer } from './session';
import { DEFAULT_RUN, seek, setPlaying, useStore } from './store';

/** Which replay the current view came from (a dropped file cannot be linked). */
let replayRef: string | null = null;

export function shareUrl(): string {
  const s = useStore.getState();
  const q = new URLSearchParams();
  q.set('src', s.sourceKind);
  if (s.sourceKind === 'replay') {
    if (replayRef) q.set('rec', replayRef);
  } else {
    const r = s.run;
    q.set('scenario', r.scenario);
    q.set('mode', r.mode);
    q.set('loops', String(r.loops));
    q.set('balance', r.balance);
    if (s.sourceKind === 'sim') q.set('seed', String(r.seed));
    for (const [k, v] of Object.entries(r.params)) q.set(`p.${k}`, String(v));
  }
  if (s.position > 0) q.set('pos', String(s.position));
  return `${location.origin}${location.pathname}?${q.toString()}`;
}

function runFromQuery(q: URLSearchParams): RunParams {
  const params: Record<string, string | number | boolean> = {};
  for (const [k, v] of q) {
    if (!k.startsWith('p.')) continue;
    const n = Number(v);
    params[k.slice(2)] = v === 'true' ? true : v === 'false' ? false : Number.isFinite(n) && v !== '' ? n : v;
  }
  return {
    scenario: q.get('scenario') ?? DEFAULT_RUN.scenario,
    mode: q.get('mode') ?? DEFAULT_RUN.mode,
    loops: Math.max(1, Math.min(16, Number(q.get('loops') ?? DEFAULT_RUN.loops) || 1)),
    balance: q.get('balance') ?? DEFAULT_RUN.balance,
    seed: Math.trunc(Number(q.get('seed') ?? DEFAULT_RUN.seed) || 0),
    params,
  };
}

/** Opens a replay and remembers it for links. */
export function openReplayRef(ref: string, pos = 0): void {
  replayRef = ref;
  if (ref.startsWith('server:')) replayServer(ref.slice(7), pos);
  else replayExample(ref.replace(/^example:/, ''), pos);
}

/** Once `n` events exist, moves there and pauses (a link's position in a sim run). */
function seekWhenAvailable(n: number): void {
  const unsub = useStore.subscribe((s) => {
    if (s.buffer.length < n && s.status.state !== 'done' && s.status.state !== 'error') return;
    unsub();
    setPlaying(false);
    seek(n);
  });
}

/** Applies the page's URL: opens its source and moves to its position. */
let applied = false;
export function applyUrl(): void {
  // React's StrictMode runs mount effects twice in development: open the source once.
  if (applied) return;
  applied = true;
  const q = new URLSearchParams(location.search);
  const pos = Math.max(0, Number(q.get('pos') ?? 0) || 0);
  const run = runFromQuery(q);
  useStore.setState({ run });
  const src = q.get('src');
  if (src === 'live') {
    openLive();
  } else if (src === 'replay') {
    openReplayRef(q.get('rec') ?? `example:${EXAMPLES[0]!.name}`, pos);
  } else {
    // Sim by default; a build without the simulator opens the bundled example instead.
    loadSimEngine().then(
      () => {
        openSim(run);
        if (pos > 0) seekWhenAvailable(pos);
      },
      () => openReplayRef(`example:${EXAMPLES[0]!.name}`, pos),
    );
  }
}

/** Keeps the address bar in step with the view (replaceState, throttled). */
export function syncUrl(): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return useStore.subscribe((s, prev) => {
    if (s.position === prev.position && s.run === prev.run && s.sourceKind === prev.sourceKind) return;
    if (timer) return;
    // Following a run, the position changes all the time, and each replaceState costs the page
    // milliseconds (a message to the browser): the address catches up less often.
    timer = setTimeout(
      () => {
        timer = null;
        history.replaceState(null, '', shareUrl());
      },
      s.following ? 2000 : 400,
    );
  });
}

/** Forgets the replay reference (a dropped file). */
export function clearReplayRef(): void {
  replayRef = null;
}
