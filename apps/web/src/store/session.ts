/** Choosing a source and connecting it to the store: the only place that knows which one runs. */
import { LiveSource } from '../sources/live';
import { fetchBlob, ReplaySource, readFile } from '../sources/replay';
import { SimSource } from '../sources/sim';
import type { RunParams, SourceSink, TraceSource } from '../sources/types';
import {
  addSnapshot,
  flushNow,
  pushChunk,
  pushEvents,
  resetTrace,
  seek,
  setPlaying,
  setStats,
  useStore,
} from './store';

function sinkFor(source: TraceSource): SourceSink {
  const current = () => useStore.getState().source === source;
  return {
    reset(header, label) {
      if (!current()) return;
      resetTrace(header, label, source.kind !== 'replay');
      if (source.kind === 'sim') useStore.setState({ following: false, playing: true });
    },
    events(batch) {
      if (current()) pushEvents(batch);
    },
    chunk(chunk, expected) {
      if (current()) pushChunk(chunk, expected);
    },
    snapshot(at, model) {
      if (current()) addSnapshot(at, model);
    },
    stats(stats) {
      if (current()) setStats(stats);
    },
    status(status) {
      if (!current()) return;
      // A replay that is read to its end (or its bad line) shows all of it with this status.
      if (status.state === 'ready' || status.state === 'error') flushNow();
      useStore.setState({ status });
    },
    decodeError(error) {
      if (current()) useStore.setState({ decodeError: error });
    },
    header(header) {
      if (current()) useStore.setState({ header });
    },
    imported(summary) {
      if (current()) useStore.setState({ importSummary: summary });
    },
  };
}

function switchTo(source: TraceSource): void {
  const prev = useStore.getState().source;
  prev?.detach();
  useStore.setState({
    source,
    sourceKind: source.kind,
    playing: false,
    status: { state: 'idle', message: null },
  });
  source.attach(sinkFor(source));
}

/** Connects to the server's live stream. */
export function openLive(): void {
  switchTo(new LiveSource());
}

/** Runs the simulator in the page, starting a run at once if `run` is given. */
export function openSim(run: RunParams | null): void {
  switchTo(new SimSource(run));
}

/** Replays a recording; `startAt` positions the view once it is loaded. */
export function openReplay(
  label: string,
  load: () => Promise<string | Uint8Array | Blob>,
  startAt = 0,
): void {
  const source = new ReplaySource(label, load);
  switchTo(source);
  if (startAt > 0) {
    const unsub = useStore.subscribe((s) => {
      if (s.source !== source || s.status.state === 'loading') return;
      unsub();
      requestAnimationFrame(() => seek(startAt));
    });
  }
}

export function replayFile(file: File): void {
  openReplay(file.name, () => readFile(file));
}

export function replayServer(name: string, startAt = 0): void {
  openReplay(name, () => fetchBlob(`/api/recordings/${encodeURIComponent(name)}`), startAt);
}

export function replayExample(name: string, startAt = 0): void {
  openReplay(
    name,
    () => fetchBlob(`${import.meta.env.BASE_URL}examples/${encodeURIComponent(name)}`),
    startAt,
  );
}

/** Starts a run on the current source (live or sim) with these parameters. */
export function startRun(run: RunParams): void {
  useStore.setState({ run });
  const s = useStore.getState();
  if (s.source?.startRun) {
    s.source.startRun(run);
    setPlaying(s.sourceKind === 'sim');
  }
}

export function stopRun(): void {
  useStore.getState().source?.stopRun?.();
}
