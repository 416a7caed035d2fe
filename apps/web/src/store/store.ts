/**
 * The app store (zustand). Sources push into a queue; one animation-frame loop appends what
 * arrived, moves the cursor (play, follow live) and publishes the model, at most once a frame.
 */
import type { StraceImportSummary, TraceEvent, TraceHeader } from '@loopscope/trace';
import { create } from 'zustand';
import { Cursor } from '../model/cursor';
import { emptyModel } from '../model/model';
import { TraceBuffer } from '../model/trace-buffer';
import type { Model } from '../model/types';
import type { RunParams, SourceKind, SourceStatus, TraceSource } from '../sources/types';

/** Events per second at speed 1x: slow enough to follow one decision at a time. */
export const EVENTS_PER_SECOND_AT_1X = 20;
export const MIN_SPEED = 0.1;
export const MAX_SPEED = 100;
/**
 * While following a live or simulated run the view is republished at most this often: at
 * 20,000 events/s no eye follows single events, and the page keeps its frame rate.
 */
export const FOLLOW_PUBLISH_MS = 100;

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
  /** Fractional events owed by playback. */
  carry: number;
  lastFrame: number;
  /** When the frame loop last published while following. */
  lastPublish: number;
  dirty: boolean;
}

const internals: Internals = {
  cursor: new Cursor(new TraceBuffer(null), 1),
  pending: [],
  carry: 0,
  lastFrame: 0,
  lastPublish: 0,
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
  seek(useStore.getState().position + delta);
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
  if (internals.pending.length === 0) return false;
  buffer.append(internals.pending);
  internals.pending = [];
  return true;
}

/** One frame: append what arrived, advance playback or follow, publish once. */
function frame(now: number): void {
  const s = useStore.getState();
  const dt = Math.min(0.25, (now - (internals.lastFrame || now)) / 1000);
  internals.lastFrame = now;
  if (s.following && s.position > 0 && now - internals.lastPublish < FOLLOW_PUBLISH_MS) {
    requestAnimationFrame(frame);
    return;
  }
  if (s.following) internals.lastPublish = now;
  const appended = flushPending(s.buffer);
  let target = s.position;
  if (s.following) {
    target = s.buffer.length;
  } else if (s.playing) {
    internals.carry += dt * EVENTS_PER_SECOND_AT_1X * s.speed;
    const whole = Math.floor(internals.carry);
    internals.carry -= whole;
    target = Math.min(s.buffer.length, s.position + whole);
    if (target >= s.buffer.length && s.sourceKind === 'replay') useStore.setState({ playing: false });
  }
  if (target !== s.position || appended || internals.dirty) {
    internals.dirty = false;
    const model = internals.cursor.seek(target);
    useStore.setState({ position: model.applied, total: s.buffer.length, model, version: s.version + 1 });
  }
  requestAnimationFrame(frame);
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
