/**
 * Two runs side by side: the current trace and a second one (the same scenario simulated in
 * another mode, or a recording file), with their numbers and the clients' byte verdict.
 */
import { computeStats, decodeRecording, type TraceEvent, type TraceStats } from '@loopscope/trace';
import { useEffect, useMemo, useState } from 'react';
import { MODE_NAMES } from '../modes';
import { loadSimEngine, type SimRunOptions } from '../sources/sim-engine';
import { useStore } from '../store/store';
import { fmtBytes, fmtNs } from '../theme';

const MAX_EVENTS = 1_000_000;

interface Side {
  label: string;
  stats: TraceStats | null;
  error: string | null;
}

const ROWS: { k: string; f: (s: TraceStats) => string }[] = [
  { k: 'events', f: (s) => s.events.toLocaleString() },
  { k: 'listener wake-ups / accept', f: (s) => s.listenerWakeupsPerAccept.toFixed(2) },
  { k: 'syscalls / request', f: (s) => s.syscallsPerRequest.toFixed(2) },
  { k: 'epoll MOD / request', f: (s) => s.ctlModPerRequest.toFixed(2) },
  { k: 'accepts declined', f: (s) => s.acceptsDeclined.toLocaleString() },
  { k: 'accept EAGAIN', f: (s) => s.acceptsEagain.toLocaleString() },
  { k: 'EAGAIN writes', f: (s) => s.writesEagain.toLocaleString() },
  { k: 'partial writes', f: (s) => s.partialWrites.toLocaleString() },
  { k: 'bytes lost (overwritten)', f: (s) => fmtBytes(s.outputBytesOverwritten) },
  { k: 'client bytes verified', f: (s) => fmtBytes(s.clientBytesVerified) },
  { k: 'client mismatches', f: (s) => s.clientMismatches.toLocaleString() },
  { k: 'reply latency p99', f: (s) => (s.latencyP99Ns === null ? '—' : fmtNs(s.latencyP99Ns)) },
];

function Verdict({ s }: { s: TraceStats }) {
  const bad = s.clientMismatches > 0 || s.outputBytesOverwritten > 0;
  return (
    <div className={`verdict ${bad ? 'bad' : 'ok'}`} data-testid="compare-verdict" data-bad={bad}>
      {bad
        ? `✗ bytes lost: ${fmtBytes(s.outputBytesOverwritten)} overwritten, ${s.clientMismatches.toLocaleString()} mismatching bytes at the client`
        : `✓ every byte arrived: ${fmtBytes(s.clientBytesVerified)} verified by the clients`}
    </div>
  );
}

async function simulate(mode: string): Promise<TraceEvent[]> {
  const engine = await loadSimEngine();
  const r = useStore.getState().run;
  const run = engine.createSimRun({
    ...r,
    mode: mode as SimRunOptions['mode'],
    balance: r.balance as SimRunOptions['balance'],
  });
  const events: TraceEvent[] = [];
  while (!run.done && events.length < MAX_EVENTS) {
    for (const e of run.advance(20000)) events.push(e);
    await new Promise((res) => setTimeout(res, 0));
  }
  return events;
}

export function Compare({ initialMode, onClose }: { initialMode: string; onClose: () => void }) {
  const buffer = useStore((s) => s.buffer);
  const header = useStore((s) => s.header);
  const total = useStore((s) => s.total);
  const left: Side = useMemo(
    () => ({
      label: `${header?.scenario?.name ?? 'trace'} · ${header?.mode ?? '?'} (current)`,
      stats: total > 0 ? computeStats(header, buffer.events.slice(0, total)) : null,
      error: null,
    }),
    [buffer, header, total],
  );
  const [mode, setMode] = useState(initialMode);
  const [right, setRight] = useState<Side>({ label: '', stats: null, error: null });
  const [busy, setBusy] = useState(false);

  const runSim = (m: string) => {
    setBusy(true);
    simulate(m).then(
      (events) => {
        setRight({
          label: `${useStore.getState().run.scenario} · ${m} (simulated)`,
          stats: computeStats(null, events),
          error: null,
        });
        setBusy(false);
      },
      (err: unknown) => {
        setRight({ label: m, stats: null, error: err instanceof Error ? err.message : String(err) });
        setBusy(false);
      },
    );
  };
  useEffect(() => runSim(initialMode), []);

  const openFile = async (f: File) => {
    const d = decodeRecording(new Uint8Array(await f.arrayBuffer()), { tolerant: true, source: f.name });
    setRight({
      label: f.name,
      stats: computeStats(d.header, d.events),
      error: d.error ? d.error.message : null,
    });
  };

  return (
    <div className="compare" data-testid="compare">
      <div style={{ display: 'flex', gap: 10, alignItems: 'center', marginBottom: 12 }}>
        <h2 style={{ margin: 0, fontSize: 17 }}>Compare two runs</h2>
        <span className="dim">second run:</span>
        <select data-testid="compare-mode" value={mode} onChange={(e) => setMode(e.target.value)}>
          {MODE_NAMES.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
        <button type="button" className="primary" disabled={busy} onClick={() => runSim(mode)}>
          {busy ? 'simulating…' : 'simulate'}
        </button>
        <span className="dim">or a recording</span>
        <input
          type="file"
          accept=".ndjson"
          onChange={(e) => e.target.files?.[0] && openFile(e.target.files[0])}
        />
        <button type="button" style={{ marginLeft: 'auto' }} data-testid="compare-close" onClick={onClose}>
          Close
        </button>
      </div>
      <div className="cols">
        {[left, right].map((side, i) => (
          <div key={i === 0 ? 'left' : 'right'} data-testid={`compare-${i === 0 ? 'left' : 'right'}`}>
            <h3 style={{ margin: '0 0 4px' }}>{side.label || (busy ? 'simulating…' : '—')}</h3>
            {side.error && <div className="banner error">{side.error}</div>}
            {side.stats && <Verdict s={side.stats} />}
            {side.stats && (
              <table>
                <tbody>
                  {ROWS.map((r) => (
                    <tr key={r.k}>
                      <td>{r.k}</td>
                      <td className="num">{r.f(side.stats!)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        ))}
      </div>
    </div>
  );
}
