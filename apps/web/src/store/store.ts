/**
 * The app store (zustand). Sources push into a queue; one animation-frame loop appends what
 * arrived, moves the cursor (play, follow live) and publishes the model, at most once a frame.
 */
import type { StraceImportSummary, TraceEvent, TraceHeader, TraceStats } from '@loopscope/trace';
import { create } from 'zustand';
import { Cursor } from '../model/cursor';
import { emptyModel } from '../model/model';
import { type TextChunk, TraceBuffer } from '../model/trace-buffer';
import type { Model } from '../model/types';
import type { RunParams, SourceKind, SourceStatus, TraceSource } from '../sources/types';

/** Events per second at speed 1x: slow enough to follow one decision at a time. */
export const EVENTS_PER_SECOND_AT_1X = 20;
export const MIN_SPEED = 0.1;
export const MAX_SPEED = 100;
/**
 * While following a live or simulated run (or playing fast) the React views (numbers, log,
 * explanation, position) are republished at most this often: at 20,000 events/s no eye follows
 * single events, and each republishing lays out the page's text again. The canvases are drawn
 * from the frame loop (`onFrame`).
 */
export const FOLLOW_PUBLISH_MS = 250;
/** Playback faster than this many events a second is "fast" (see `FOLLOW_PUBLISH_MS`). */
export const FAST_EVENTS_PER_SECOND = 60;
/**
 * While a recording streams in, what arrived is shown at most this often: each showing redraws
 * the timeline and the log, time the recording worker needs on a machine with few cores.
 */
export const STREAM_PUBLISH_MS = 500;

export interface DecodeErrorInfo {
  line: number;
  message: string;
  valid: number;
}

export interface AppState {
  sourceKind: SourceKind;
  sourceLabel: string;
  source: TraceSource | null;
  status: SourceStatus;
  decodeError: DecodeErrorInfo | null;
  header: TraceHeader | null;
  buffer: TraceBuffer;
  /** Events received (the buffer's length, published once a frame). */
  total: number;
  /** Events applied to the model: the view shows the trace right after event `position - 1`. */
  position: number;
  /** Live/sim: keep the view at the newest event. */
  following: boolean;
  playing: boolean;
  speed: number;
  model: Model;
  /** Bumped whenever the model changed. */
  version: number;
  run: RunParams;
  /** Set when the trace was imported from an strace log: the importer's counts. */
  importSummary: StraceImportSummary | null;
}

interface Internals {
  cursor: Cursor;
  pending: TraceEvent[];
  /** Replay: chunks of the recording not yet in the buffer. */
  pendingChunks: TextChunk[];
  /** Replay: numbers of the trace, to show with the pending chunks. */
  pendingStats: TraceStats | null;
  /** Replay: how many events the recording probably holds. */
  expected: number;
  /** When the frame loop last appended while a recording streamed in. */
  lastAppend: number;
  /** Fractional events owed by playback. */
  carry: number;
  lastFrame: number;
  /** When the frame loop last published while following. */
  lastPublish: number;
  /** The cursor moved since the model was last published. */
  unpublished: boolean;
  dirty: boolean;
}

const internals: Internals = {
  cursor: new Cursor(new TraceBuffer(null), 1),
  pending: [],
  pendingChunks: [],
  pendingStats: null,
  expected: 0,
  lastAppend: 0,
  carry: 0,
  lastFrame: 0,
  lastPublish: 0,
  unpublished: false,
  dirty: false,
};

export const DEFAULT_RUN: RunParams = {
  scenario: 'echo',
  mode: 'evio',
  loops: 2,
  balance: 'random',
  seed: 1,
  params: {},
};

export const useStore = create<AppState>(() => {
  const buffer = new TraceBuffer(null);
  return {
    sourceKind: 'sim',
    sourceLabel: '',
    source: null,
    status: { state: 'idle', message: null },
    decodeError: null,
    header: null,
    buffer,
    total: 0,
    position: 0,
    following: false,
    playing: false,
    speed: 1,
    model: emptyModel(),
    version: 0,
    run: DEFAULT_RUN,
    importSummary: null,
  };
});

/** Starts a new trace (called by sources through the sink). */
export function resetTrace(header: TraceHeader | null, label: string, follow: boolean): void {
  const buffer = new TraceBuffer(header);
  internals.cursor = new Cursor(buffer, header?.loops ?? 0);
  internals.pending = [];
  internals.pendingChunks = [];
  internals.pendingStats = null;
  internals.expected = 0;
  internals.carry = 0;
  internals.dirty = true;
  useStore.setState((s) => ({
    header,
    buffer,
    sourceLabel: label,
    total: 0,
    position: 0,
    following: follow,
    decodeError: null,
    importSummary: null,
    model: internals.cursor.model,
    version: s.version + 1,
  }));
}

/** Queues events; they reach the model at the next animation frame. */
export function pushEvents(batch: TraceEvent[]): void {
  for (let i = 0; i < batch.length; i++) internals.pending.push(batch[i]!);
  internals.dirty = true;
}

/**
 * Queues a chunk of a replayed recording; it reaches the buffer at a coming frame. `expected`:
 * the events the whole recording probably holds.
 */
export function pushChunk(chunk: TextChunk, expected: number): void {
  internals.pendingChunks.push(chunk);
  internals.expected = Math.max(internals.expected, expected);
  internals.dirty = true;
}

/** A model after `at` events of the current trace, computed by the recording worker. */
export function addSnapshot(at: number, model: Model): void {
  internals.cursor.addSnapshot(at, model);
}

/** The numbers of the current trace (so far), shown with the events they count. */
export function setStats(stats: TraceStats): void {
  internals.pendingStats = stats;
  internals.dirty = true;
}

/** Puts everything that arrived into the buffer and shows it now (a replay read to its end). */
export function flushNow(): void {
  const s = useStore.getState();
  if (!flushPending(s.buffer)) return;
  const model = internals.cursor.seek(s.position);
  useStore.setState({ position: model.applied, total: s.buffer.length, model, version: s.version + 1 });
}

/** Moves the view to `n` applied events (stops following when moving back). */
export function seek(n: number): void {
  const s = useStore.getState();
  flushPending(s.buffer);
  const target = Math.max(0, Math.min(s.buffer.length, Math.round(n)));
  const model = internals.cursor.seek(target);
  internals.carry = 0;
  useStore.setState({
    position: model.applied,
    total: s.buffer.length,
    following: s.following && target >= s.buffer.length,
    model,
    version: s.version + 1,
  });
}

/** Steps by `delta` events and pauses. */
export function step(delta: number): void {
  useStore.setState({ playing: false, following: false });
  seek(internals.cursor.position + delta);
}

export function setPlaying(playing: boolean): void {
  const s = useStore.getState();
  if (playing && s.position >= s.buffer.length && s.sourceKind === 'replay') seek(0);
  internals.lastFrame = performance.now();
  useStore.setState({ playing, following: playing ? s.following : false });
}

/** Live/sim: jump to the newest event and stay there. */
export function catchUp(): void {
  useStore.setState({ following: true, playing: false });
  seek(Number.MAX_SAFE_INTEGER);
  useStore.setState({ following: true });
}

export function setSpeed(speed: number): void {
  useStore.setState({ speed: Math.max(MIN_SPEED, Math.min(MAX_SPEED, speed)) });
}

function flushPending(buffer: TraceBuffer): boolean {
  const chunks = internals.pendingChunks;
  const stats = internals.pendingStats;
  if (internals.pending.length === 0 && chunks.length === 0 && !stats) return false;
  if (internals.pending.length > 0) buffer.append(internals.pending);
  if (chunks.length > 0) buffer.reserve(internals.expected);
  for (const c of chunks) buffer.appendChunk(c);
  if (stats) buffer.stats = stats;
  internals.pending = [];
  internals.pendingChunks = [];
  internals.pendingStats = null;
  return true;
}

/** One frame: append what arrived, advance playback or follow, publish once. */
function frame(now: number): void {
  const s = useStore.getState();
  const dt = Math.min(0.25, (now - (internals.lastFrame || now)) / 1000);
  internals.lastFrame = now;
  const held =
    s.sourceKind === 'replay' &&
    s.status.state === 'loading' &&
    s.buffer.length > 0 &&
    now - internals.lastAppend < STREAM_PUBLISH_MS;
  const appended = !held && flushPending(s.buffer);
  if (appended) internals.lastAppend = now;
  // The cursor, not the published position: React hears of the model less often than it moves.
  const at = internals.cursor.position;
  let target = at;
  if (s.following) {
    target = s.buffer.length;
  } else if (s.playing) {
    internals.carry += dt * EVENTS_PER_SECOND_AT_1X * s.speed;
    const whole = Math.floor(internals.carry);
    internals.carry -= whole;
    target = Math.min(s.buffer.length, at + whole);
    if (target >= s.buffer.length && s.sourceKind === 'replay') useStore.setState({ playing: false });
  }
  if (target !== at || appended || (internals.dirty && !held)) {
    internals.dirty = false;
    internals.cursor.seek(target);
    internals.unpublished = true;
  }
  // Faster than the eye follows, the React views (numbers, log, explanation) are republished at
  // most every FOLLOW_PUBLISH_MS; the canvases are drawn by the frame listeners below.
  const fast = s.following || (s.playing && s.speed * EVENTS_PER_SECOND_AT_1X > FAST_EVENTS_PER_SECOND);
  if (internals.unpublished && (!fast || now - internals.lastPublish >= FOLLOW_PUBLISH_MS)) {
    internals.unpublished = false;
    internals.lastPublish = now;
    const model = internals.cursor.model;
    useStore.setState({ position: model.applied, total: s.buffer.length, model, version: s.version + 1 });
  }
  const view: FrameView = {
    model: internals.cursor.model,
    buffer: s.buffer,
    header: s.header,
    fast,
    following: s.following,
  };
  for (const fn of frameListeners) fn(view, now);
  requestAnimationFrame(frame);
}

/** What the canvases draw in a frame: the cursor's model, which may be ahead of the published one. */
export interface FrameView {
  model: Model;
  buffer: TraceBuffer;
  header: TraceHeader | null;
  /** Events go by faster than the eye follows (following a live run, or playing fast). */
  fast: boolean;
  following: boolean;
}

const frameListeners = new Set<(view: FrameView, now: number) => void>();

/**
 * Calls `fn` in every animation frame, after the frame's events are applied: the stage and the
 * timeline draw from here, outside React. Returns the unsubscribe function.
 */
export function onFrame(fn: (view: FrameView, now: number) => void): () => void {
  frameListeners.add(fn);
  return () => frameListeners.delete(fn);
}

let started = false;
/** Starts the frame loop (once). */
export function startFrameLoop(): void {
  if (started) return;
  started = true;
  requestAnimationFrame(frame);
}

/** Test hook: the current model and the store, read by the end-to-end tests. */
export function installTestHook(): void {
  const hook = {
    get model(): Model {
      return useStore.getState().model;
    },
    store: useStore,
    seek,
  };
  (window as unknown as { __loopscope: typeof hook }).__loopscope = hook;
}
