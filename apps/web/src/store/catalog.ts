/**
 * The scenario catalog (from the server's GET /api/scenarios, or a built-in list when no server
 * answers), the server's recordings and the bundled examples.
 */
import { create } from 'zustand';
import { loadSimEngine } from '../sources/sim-engine';

export interface ScenarioParam {
  name: string;
  /** Bounds of a number parameter (null: unbounded or not a number). */
  min: number | null;
  max: number | null;
  default: number | string | boolean;
  unit: string | null;
  /** A parameter with a fixed set of values (shown as a menu). */
  values?: string[];
  description?: string;
}

export interface ScenarioInfo {
  name: string;
  title: string;
  description: string;
  params: ScenarioParam[];
}

export interface RecordingInfo {
  name: string;
  size: number;
  created: string;
}

/** Used for live when the server's catalog is not reachable: the simulator's scenario names. */
export const BUILTIN_SCENARIOS: ScenarioInfo[] = [
  {
    name: 'echo',
    title: 'echo',
    description: 'Request/response echo: the MOD churn around every reply.',
    params: [],
  },
  {
    name: 'herd',
    title: 'herd',
    description: 'Sequential connections: how many loops wake for each accept.',
    params: [],
  },
  {
    name: 'open-wake',
    title: 'open-wake',
    description: 'The wake-up right after accept runs Opened, then MOD IN.',
    params: [],
  },
  {
    name: 'slow-reader',
    title: 'slow-reader',
    description: 'A slow reader: partial writes and the EAGAIN spin.',
    params: [],
  },
  {
    name: 'write-loss-claim',
    title: 'write-loss-claim',
    description: 'A second request while a reply is pending.',
    params: [],
  },
  {
    name: 'wake-overwrite',
    title: 'wake-overwrite',
    description: 'Conn.wake() while a reply is pending.',
    params: [],
  },
];

/** Common simulator parameters offered in the top bar (the rest keep their defaults). */
const SIM_COMMON = ['sndbuf'];

/** Recordings bundled with the app (apps/web/public/examples). */
export const EXAMPLES: { name: string; title: string }[] = [
  { name: 'evio-echo.ndjson', title: 'evio echo, 1 loop (hand-made)' },
  { name: 'sim-herd-4-loops-round-robin.ndjson', title: 'thundering herd, 4 loops, round-robin (sim)' },
  {
    name: 'sim-write-loss-read-first.ndjson',
    title: 'write-loss claim in read-first mode: bytes lost (sim)',
  },
  { name: 'sim-wake-overwrite-evio.ndjson', title: 'Wake overwrite in evio mode: bytes lost (sim)' },
];

interface CatalogState {
  scenarios: ScenarioInfo[];
  /** The simulator's scenarios (from the engine), empty until it is loaded. */
  simScenarios: ScenarioInfo[];
  fromServer: boolean;
  recordings: RecordingInfo[];
  recordingsError: string | null;
}

export const useCatalog = create<CatalogState>(() => ({
  scenarios: BUILTIN_SCENARIOS,
  simScenarios: [],
  fromServer: false,
  recordings: [],
  recordingsError: null,
}));

function isScenarioList(x: unknown): x is ScenarioInfo[] {
  return (
    Array.isArray(x) && x.every((s) => typeof s === 'object' && s !== null && typeof s.name === 'string')
  );
}

/** Asks the server for its scenarios; keeps the built-in list if it does not answer. */
export async function loadScenarios(): Promise<void> {
  try {
    const res = await fetch('/api/scenarios');
    if (!res.ok) return;
    const list: unknown = await res.json();
    if (isScenarioList(list) && list.length > 0) {
      useCatalog.setState({
        scenarios: list.map((s) => ({ ...s, title: s.title ?? s.name, params: s.params ?? [] })),
        fromServer: true,
      });
    }
  } catch {
    // No server: the built-in list stays.
  }
}

/** Asks the server for its recordings. */
export async function loadRecordings(): Promise<void> {
  try {
    const res = await fetch('/api/recordings');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const list = (await res.json()) as RecordingInfo[];
    useCatalog.setState({ recordings: Array.isArray(list) ? list : [], recordingsError: null });
  } catch (err) {
    useCatalog.setState({
      recordings: [],
      recordingsError: `No recordings from the server (${err instanceof Error ? err.message : err}).`,
    });
  }
}

/** Reads the simulator's scenarios and their integer parameters from the engine. */
export async function loadSimScenarios(): Promise<void> {
  try {
    const e = await loadSimEngine();
    const common = e.COMMON_PARAMS.filter((p) => SIM_COMMON.includes(p.name));
    const list = Object.values(e.SIM_SCENARIOS).map(
      (d): ScenarioInfo => ({
        name: d.name,
        title: d.name,
        description: d.summary,
        params: [...d.params, ...common].flatMap((p) =>
          p.type === 'int'
            ? [{ name: p.name, min: p.min, max: p.max, default: p.default, unit: null, description: p.doc }]
            : [],
        ),
      }),
    );
    useCatalog.setState({ simScenarios: list });
  } catch {
    // No simulator in this build: the sim source says so when used.
  }
}
