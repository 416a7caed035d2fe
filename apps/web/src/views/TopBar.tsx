/** The top bar: source, scenario, mode, loops, balance, seed, parameters, start/stop. */
import type { SourceKind } from '../sources/types';
import { EXAMPLES, type ScenarioParam, useCatalog } from '../store/catalog';
import { openLive, openSim, replayFile, startRun, stopRun } from '../store/session';
import { useStore } from '../store/store';
import { clearReplayRef, openReplayRef } from '../store/url-state';
import { ExportButtons } from './ExportButtons';
import { RunShapeFields } from './RunShapeFields';

function SourcePicker() {
  const kind = useStore((s) => s.sourceKind);
  const run = useStore((s) => s.run);
  const pick = (k: SourceKind) => {
    if (k === 'live') openLive();
    else if (k === 'sim') openSim(null);
    // Through the URL state, so that Link names the recording on screen.
    else openReplayRef(`example:${EXAMPLES[0]!.name}`);
    useStore.setState({ run });
  };
  return (
    <div className="seg" data-testid="source-picker">
      {(['sim', 'live', 'replay'] as const).map((k) => (
        <button
          key={k}
          type="button"
          className={kind === k ? 'on' : ''}
          data-testid={`source-${k}`}
          onClick={() => pick(k)}
        >
          {k}
        </button>
      ))}
    </div>
  );
}

function ReplayPicker() {
  const recordings = useCatalog((s) => s.recordings);
  return (
    <>
      <label className="field">
        file
        <input
          type="file"
          accept=".ndjson,.json,.txt,.strace,.log,application/x-ndjson"
          data-testid="replay-file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) {
              // A picked file cannot be linked: Link must not name the previous recording.
              clearReplayRef();
              replayFile(f);
            }
          }}
        />
      </label>
      <select
        data-testid="replay-pick"
        value=""
        onChange={(e) => {
          const v = e.target.value;
          if (v.startsWith('example:') || v.startsWith('server:')) openReplayRef(v);
        }}
      >
        <option value="">open a recording…</option>
        <optgroup label="examples">
          {EXAMPLES.map((x) => (
            <option key={x.name} value={`example:${x.name}`}>
              {x.title}
            </option>
          ))}
        </optgroup>
        {recordings.length > 0 && (
          <optgroup label="server recordings">
            {recordings.map((r) => (
              <option key={r.name} value={`server:${r.name}`}>
                {r.name} ({Math.round(r.size / 1024)} KiB)
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </>
  );
}

function ParamInput(props: {
  p: ScenarioParam;
  value: string | number | boolean | undefined;
  onChange: (v: string | number) => void;
}) {
  const { p } = props;
  const value = props.value ?? p.default;
  const title = [p.description, p.unit, p.min !== null && p.max !== null ? `${p.min}–${p.max}` : null]
    .filter(Boolean)
    .join(' · ');
  if (p.values) {
    return (
      <label className="field" title={title}>
        {p.name}
        <select
          data-testid={`param-${p.name}`}
          value={String(value)}
          onChange={(e) => props.onChange(e.target.value)}
        >
          {p.values.map((v) => (
            <option key={v}>{v}</option>
          ))}
        </select>
      </label>
    );
  }
  const clamp = (n: number) => Math.max(p.min ?? -Infinity, Math.min(p.max ?? Infinity, n));
  return (
    <label className="field" title={title}>
      {p.name}
      <input
        type="number"
        min={p.min ?? undefined}
        max={p.max ?? undefined}
        data-testid={`param-${p.name}`}
        value={Number(value)}
        onChange={(e) => props.onChange(clamp(Number(e.target.value) || 0))}
      />
    </label>
  );
}

function RunControls() {
  const run = useStore((s) => s.run);
  const kind = useStore((s) => s.sourceKind);
  const status = useStore((s) => s.status);
  const live = useCatalog((s) => s.scenarios);
  const sim = useCatalog((s) => s.simScenarios);
  const scenarios = kind === 'sim' && sim.length > 0 ? sim : live;
  const scenario = scenarios.find((s) => s.name === run.scenario) ?? scenarios[0];
  const set = (patch: Partial<typeof run>) => useStore.setState({ run: { ...run, ...patch } });
  const running =
    status.state === 'running' || status.run?.state === 'running' || status.run?.state === 'starting';
  return (
    <>
      <select
        data-testid="scenario-select"
        value={scenario?.name ?? run.scenario}
        title={scenario?.description}
        onChange={(e) => set({ scenario: e.target.value, params: {} })}
      >
        {scenarios.map((s) => (
          <option key={s.name} value={s.name}>
            {s.title}
          </option>
        ))}
      </select>
      <RunShapeFields
        run={run}
        set={set}
        ids={{ mode: 'mode-select', loops: 'loops-input', balance: 'balance-select' }}
      />
      {kind === 'sim' && (
        <label className="field">
          seed
          <input
            type="number"
            data-testid="seed-input"
            value={run.seed}
            onChange={(e) => set({ seed: Math.trunc(Number(e.target.value) || 0) })}
          />
        </label>
      )}
      {scenario?.params.map((p) => (
        <ParamInput
          key={p.name}
          p={p}
          value={run.params[p.name]}
          onChange={(v) => set({ params: { ...run.params, [p.name]: v } })}
        />
      ))}
      <button
        type="button"
        className="primary"
        data-testid="start-button"
        onClick={() => startRun({ ...run, scenario: scenario?.name ?? run.scenario })}
      >
        Start
      </button>
      <button
        type="button"
        className="danger"
        data-testid="stop-button"
        disabled={!running}
        onClick={stopRun}
      >
        Stop
      </button>
    </>
  );
}

export function TopBar({ onCompare }: { onCompare: () => void }) {
  const kind = useStore((s) => s.sourceKind);
  const label = useStore((s) => s.sourceLabel);
  return (
    <div className="topbar" data-testid="topbar">
      <div className="brand">
        loop<span>scope</span>
      </div>
      <SourcePicker />
      <div className="sep" />
      {kind === 'replay' ? <ReplayPicker /> : <RunControls />}
      <div className="grow" />
      <span className="dim mono" style={{ fontSize: 11.5 }} data-testid="source-label">
        {label}
      </span>
      <button type="button" data-testid="compare-button" onClick={onCompare}>
        Compare
      </button>
      <ExportButtons />
    </div>
  );
}
