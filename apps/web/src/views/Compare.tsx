/**
 * Two runs side by side: the current trace and a second one (a simulation of the same workload
 * in any mode, a recording, or an strace log of a real program), each with its loops' wake-up and
 * accept rows and per-loop counts, and their numbers in one table with the differences marked.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunParams } from '../sources/types';
import { useCatalog } from '../store/catalog';
import { useStore } from '../store/store';
import { fmtBytes } from '../theme';
import { CompareRows } from './CompareRows';
import {
  COMPARE_ROWS,
  differs,
  diffText,
  EMPTY_SIDE,
  fileSide,
  type Side,
  sideOf,
  simulateSide,
} from './compare-data';
import { RunShapeFields } from './RunShapeFields';

function Verdict({ side }: { side: Side }) {
  const s = side.stats;
  if (!s) return null;
  if (side.header?.source.type === 'strace') {
    return (
      <div className="verdict" data-testid="compare-verdict" data-bad="unknown">
        Client bytes are not in an strace log: no verdict.
      </div>
    );
  }
  const bad = s.clientMismatches > 0 || s.outputBytesOverwritten > 0;
  return (
    <div className={`verdict ${bad ? 'bad' : 'ok'}`} data-testid="compare-verdict" data-bad={bad}>
      {bad
        ? `✗ bytes lost: ${fmtBytes(s.outputBytesOverwritten)} overwritten, ${s.clientMismatches.toLocaleString()} mismatching bytes at the client`
        : `✓ every byte arrived: ${fmtBytes(s.clientBytesVerified)} verified by the clients`}
    </div>
  );
}

function PerLoop({ side }: { side: Side }) {
  const per = side.stats?.perLoop ?? [];
  if (per.length === 0) return null;
  return (
    <table className="perloop">
      <thead>
        <tr>
          <th>loop</th>
          <th>wake-ups</th>
          <th>won</th>
          <th>EAGAIN</th>
          <th>declined</th>
          <th>requests</th>
        </tr>
      </thead>
      <tbody>
        {per.map((l) => (
          <tr key={l.loop}>
            <td>{l.loop}</td>
            <td className="num">{l.wakeups.toLocaleString()}</td>
            <td className="num">{l.acceptsWon.toLocaleString()}</td>
            <td className="num">{l.acceptsEagain.toLocaleString()}</td>
            <td className="num">{l.acceptsDeclined.toLocaleString()}</td>
            <td className="num">{l.requests.toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SideView({ side, id, busy }: { side: Side; id: 'left' | 'right'; busy: boolean }) {
  return (
    <div data-testid={`compare-${id}`} className="compare-side">
      <h3 data-testid={`compare-${id}-label`}>{side.label || (busy ? 'working…' : '—')}</h3>
      {side.error && <div className="banner error">{side.error}</div>}
      {side.summary && (
        <div className="dim" style={{ fontSize: 11.5, marginBottom: 4 }} data-testid={`compare-${id}-import`}>
          strace import: {side.summary.loops} loops, {side.summary.events.toLocaleString()} events,{' '}
          {side.summary.skippedLines} skipped lines, {side.summary.noiseDropped} noise events filtered
        </div>
      )}
      <Verdict side={side} />
      {side.stats && (
        <CompareRows events={side.events} loops={side.stats.loops} testId={`compare-${id}-rows`} />
      )}
      <PerLoop side={side} />
    </div>
  );
}

function NumbersTable({ left, right }: { left: Side; right: Side }) {
  if (!left.stats && !right.stats) return null;
  return (
    <table className="compare-numbers" data-testid="compare-numbers">
      <thead>
        <tr>
          <th />
          <th>{left.label || 'left'}</th>
          <th>{right.label || 'right'}</th>
          <th>difference</th>
        </tr>
      </thead>
      <tbody>
        {COMPARE_ROWS.map((r) => {
          const a = left.stats ? r.value(left.stats, left) : null;
          const b = right.stats ? r.value(right.stats, right) : null;
          const diff = differs(a, b);
          const fmt = (v: number | null) => (v === null ? '—' : r.fmt ? r.fmt(v) : v.toLocaleString());
          const worse =
            diff && r.worse ? ((r.worse === 'higher' ? b! > a! : b! < a!) ? 'right' : 'left') : '';
          return (
            <tr
              key={r.key}
              className={diff ? 'differs' : ''}
              data-testid="compare-row"
              data-key={r.key}
              data-differs={diff}
            >
              <td>{r.label}</td>
              <td className={`num ${worse === 'left' ? 'worse' : ''}`}>{fmt(a)}</td>
              <td className={`num ${worse === 'right' ? 'worse' : ''}`}>{fmt(b)}</td>
              <td className="num diff">{diff ? diffText(a!, b!) : a !== null && b !== null ? '=' : ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The simulation to compare with: an strace log of a herd suggests the same workload in the sim. */
function initialRun(mode: string): RunParams {
  const s = useStore.getState();
  if (s.header?.source.type === 'strace') {
    let won = 0;
    let reads = 0;
    let readBytes = 0;
    for (let i = 0; i < s.total; i++) {
      const e = s.buffer.event(i);
      if (e.kind === 'accept' && e.outcome === 'won') won++;
      else if (e.kind === 'read' && e.result === 'data' && e.gen !== null) {
        reads++;
        readBytes += e.bytes;
      }
    }
    // The clients of the log sent about this much per connection: the sim's clients do the same.
    const bytes = reads > 0 ? Math.min(65536, Math.round(readBytes / reads)) : 0;
    return {
      scenario: 'herd',
      mode: 'evio',
      loops: Math.max(1, s.header.loops),
      balance: 'random',
      seed: 1,
      params: { conns: Math.max(1, Math.min(500, won || 20)), bytes },
    };
  }
  return { ...s.run, mode };
}

export function Compare({ initialMode, onClose }: { initialMode: string; onClose: () => void }) {
  const buffer = useStore((s) => s.buffer);
  const header = useStore((s) => s.header);
  const total = useStore((s) => s.total);
  const label = useStore((s) => s.sourceLabel);
  const importSummary = useStore((s) => s.importSummary);
  const left = useMemo(
    () =>
      total > 0
        ? sideOf(`${label || 'current trace'} (current)`, header, buffer.slice(0, total), importSummary)
        : EMPTY_SIDE,
    [buffer, header, total, label, importSummary],
  );
  const [run, setRun] = useState<RunParams>(() => initialRun(initialMode));
  const [right, setRight] = useState<Side>(EMPTY_SIDE);
  const [busy, setBusy] = useState(false);
  const job = useRef(0);
  const sims = useCatalog((s) => s.simScenarios);
  const scenario = sims.find((x) => x.name === run.scenario);

  const start = (work: (cancelled: () => boolean) => Promise<Side | null>, what: string) => {
    const id = ++job.current;
    const cancelled = () => job.current !== id;
    setBusy(true);
    setRight({ ...EMPTY_SIDE, label: `${what}…` });
    work(cancelled).then(
      (side) => {
        if (cancelled() || !side) return;
        setRight(side);
        setBusy(false);
      },
      (err: unknown) => {
        if (cancelled()) return;
        setRight({ ...EMPTY_SIDE, label: what, error: err instanceof Error ? err.message : String(err) });
        setBusy(false);
      },
    );
  };
  const simulate = (r: RunParams) =>
    start((c) => simulateSide(r, c), `simulating ${r.scenario} in ${r.mode}`);
  useEffect(() => {
    simulate(run);
    return () => {
      job.current++;
    };
  }, []);
  const set = (patch: Partial<RunParams>) => setRun((r) => ({ ...r, ...patch }));

  return (
    <div className="compare" data-testid="compare">
      <div className="compare-bar">
        <h2 className="compare-title">Compare two runs</h2>
        <span className="dim">second run: simulate</span>
        <select
          data-testid="compare-scenario"
          value={run.scenario}
          onChange={(e) => set({ scenario: e.target.value, params: {} })}
        >
          {(sims.length ? sims.map((s) => s.name) : [run.scenario]).map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
        <RunShapeFields
          run={run}
          set={set}
          ids={{ mode: 'compare-mode', loops: 'compare-loops', balance: 'compare-balance' }}
        />
        {scenario?.params
          .filter((p) => p.name !== 'sndbuf')
          .map((p) => (
            <label className="field" key={p.name} title={p.description}>
              {p.name}
              <input
                type="number"
                data-testid={`compare-param-${p.name}`}
                style={{ width: 64 }}
                value={Number(run.params[p.name] ?? p.default)}
                onChange={(e) => set({ params: { ...run.params, [p.name]: Number(e.target.value) || 0 } })}
              />
            </label>
          ))}
        <button
          type="button"
          className="primary"
          data-testid="compare-simulate"
          disabled={busy}
          onClick={() => simulate(run)}
        >
          {busy ? 'working…' : 'simulate'}
        </button>
        <span className="dim">or open a recording / strace log</span>
        <input
          type="file"
          data-testid="compare-file"
          accept=".ndjson,.json,.txt,.strace,.log"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) start((c) => fileSide(f, c), `reading ${f.name}`);
          }}
        />
        <button type="button" style={{ marginLeft: 'auto' }} data-testid="compare-close" onClick={onClose}>
          Close
        </button>
      </div>
      <NumbersTable left={left} right={right} />
      <div className="cols">
        <SideView side={left} id="left" busy={false} />
        <SideView side={right} id="right" busy={busy} />
      </div>
    </div>
  );
}
