/**
 * The numbers of the whole trace (computeStats: incrementally here, or by the recording worker
 * for a replayed file) and sparklines at the cursor.
 */
import { StatsAccumulator, type TraceStats } from '@loopscope/trace';
import { useEffect, useRef, useState } from 'react';
import { OUT, WAIT_RETURN } from '../model/columns';
import type { TraceBuffer } from '../model/trace-buffer';
import { useStore } from '../store/store';
import { C, fmtBytes, fmtNs } from '../theme';

/** How often the numbers are recomputed at most (result() sorts the latencies). */
const REFRESH_MS = 250;
const SPARK_POINTS = 120;
/** Events scanned back from the cursor for the sparklines at most. */
const SPARK_SCAN = 50_000;

function useStats(): TraceStats | null {
  const buffer = useStore((s) => s.buffer);
  const header = useStore((s) => s.header);
  const total = useStore((s) => s.total);
  const given = useStore((s) => s.buffer.stats);
  const acc = useRef<{ buffer: TraceBuffer; acc: StatsAccumulator; added: number; last: number } | null>(
    null,
  );
  const [stats, setStats] = useState<TraceStats | null>(null);
  useEffect(() => {
    if (buffer.isText) return;
    if (!acc.current || acc.current.buffer !== buffer) {
      acc.current = { buffer, acc: new StatsAccumulator(header), added: 0, last: 0 };
      setStats(null);
    }
    const a = acc.current;
    for (let i = a.added; i < total; i++) a.acc.add(buffer.event(i));
    a.added = total;
    const now = performance.now();
    if (now - a.last >= REFRESH_MS || total === buffer.length) {
      a.last = now;
      setStats(total > 0 ? a.acc.result() : null);
    }
  }, [buffer, header, total]);
  // A replayed recording: the recording worker counted its events.
  if (buffer.isText || given) return total > 0 ? given : null;
  return stats;
}

function Stat(props: { name: string; label: string; value: string; tone?: 'bad' | 'warn' }) {
  return (
    <div className={`stat ${props.tone ?? ''}`}>
      <div className="v" data-testid="stat-value" data-stat={props.name}>
        {props.value}
      </div>
      <div className="k">{props.label}</div>
    </div>
  );
}

function Spark({ values, color, label }: { values: number[]; color: string; label: string }) {
  const w = 190;
  const h = 28;
  const max = Math.max(1, ...values);
  const pts = values.map(
    (v, i) => `${(i / Math.max(1, SPARK_POINTS - 1)) * w},${h - 2 - (v / max) * (h - 4)}`,
  );
  return (
    <div>
      <div className="k">
        {label} <span className="mono">(max {label.includes('output') ? fmtBytes(max) : max})</span>
      </div>
      <svg width={w} height={h} role="img" aria-label={label}>
        <polyline points={pts.join(' ')} fill="none" stroke={color} strokeWidth={1.4} />
      </svg>
    </div>
  );
}

function sparkValues(buffer: TraceBuffer, position: number): { ready: number[]; pending: number[] } {
  const ready: number[] = [];
  const pending: number[] = [];
  const stop = Math.max(0, position - SPARK_SCAN);
  const kinds = buffer.kinds.data;
  for (
    let i = position - 1;
    i >= stop && (ready.length < SPARK_POINTS || pending.length < SPARK_POINTS);
    i--
  ) {
    // The kind column first: only the events drawn are looked at (and parsed, for a replay).
    const k = kinds[i]!;
    if (k === WAIT_RETURN && ready.length < SPARK_POINTS) {
      const e = buffer.event(i);
      if (e.kind === 'wait-return') ready.push(Math.max(0, e.n));
    } else if (k === OUT && pending.length < SPARK_POINTS) {
      const e = buffer.event(i);
      if (e.kind === 'out') pending.push(e.pending);
    }
  }
  return { ready: ready.reverse(), pending: pending.reverse() };
}

/** What the strace importer found, for a trace imported from a log. */
function ImportSummary() {
  const s = useStore((st) => st.importSummary);
  const header = useStore((st) => st.header);
  if (!s) return null;
  const items: [string, string, string][] = [
    ['loops', 'loops found', String(s.loops)],
    ['events', 'events', s.events.toLocaleString()],
    ['lines', 'lines read', s.lines.toLocaleString()],
    ['skipped', 'skipped lines', s.skippedLines.toLocaleString()],
    ['noise', 'noise filtered', s.noiseDropped.toLocaleString()],
    ['poller', 'runtime poller events', s.runtimePollerEvents.toLocaleString()],
  ];
  return (
    <div className="import-summary" data-testid="strace-summary">
      <div className="k">
        imported from strace{header?.source.program ? ` · ${header.source.program}` : ''}
        {s.pids.length > 0 ? ` · ${s.pids.length} thread ids` : ''}
      </div>
      <div className="import-counts">
        {items.map(([id, label, v]) => (
          <span key={id} data-testid="strace-count" data-count={id} title={label}>
            <b className="mono">{v}</b> {label}
          </span>
        ))}
      </div>
      <div className="k">
        Not in a log: handler calls, client bytes and latencies, the listener's address.
        {s.skipped.length > 0 ? ` First skipped: line ${s.skipped[0]!.line} (${s.skipped[0]!.reason}).` : ''}
      </div>
    </div>
  );
}

export function StatsPanel() {
  const s = useStats();
  const buffer = useStore((st) => st.buffer);
  const position = useStore((st) => st.position);
  const spark = sparkValues(buffer, position);
  const n = (v: number | undefined, digits = 2) =>
    v === undefined ? '—' : Number(v.toFixed(digits)).toLocaleString();
  return (
    <div data-testid="stats">
      <div className="panel-title">Numbers · whole trace</div>
      <ImportSummary />
      <div className="stats">
        {s && s.kernelWakeupsPerAccept !== null ? (
          // The herd scenario measured the kernel's wake-ups, the ones the trace cannot show included.
          <Stat
            name="kernelWakeupsPerAccept"
            label={`loops woken / accept (kernel); ${n(s.listenerWakeupsPerAccept)} returned from epoll_wait`}
            value={n(s.kernelWakeupsPerAccept)}
            tone={s.kernelWakeupsPerAccept > 1.5 ? 'warn' : undefined}
          />
        ) : (
          <Stat
            name="wakeupsPerAccept"
            label="listener wake-ups / accept"
            value={s && s.acceptsWon === 0 ? '—' : n(s?.listenerWakeupsPerAccept)}
            tone={s && s.listenerWakeupsPerAccept > 1.5 ? 'warn' : undefined}
          />
        )}
        {/* A ratio over nothing is not 0: no request (or no accept) yet shows a dash. */}
        <Stat
          name="syscallsPerRequest"
          label="syscalls / request"
          value={s && s.requests === 0 ? '—' : n(s?.syscallsPerRequest)}
        />
        <Stat
          name="ctlModPerRequest"
          label="epoll MOD / request"
          value={s && s.requests === 0 ? '—' : n(s?.ctlModPerRequest)}
        />
        <Stat
          name="eagainWrites"
          label="EAGAIN writes"
          value={n(s?.writesEagain, 0)}
          tone={s?.writesEagain ? 'warn' : undefined}
        />
        <Stat
          name="bytesLost"
          label="bytes lost (overwritten)"
          value={s ? fmtBytes(s.outputBytesOverwritten) : '—'}
          tone={s?.outputBytesOverwritten ? 'bad' : undefined}
        />
        <Stat
          name="p99"
          label="reply latency p99"
          value={s?.latencyP99Ns != null ? fmtNs(s.latencyP99Ns) : '—'}
        />
        <Stat name="acceptsDeclined" label="accepts declined" value={n(s?.acceptsDeclined, 0)} />
        <Stat
          name="clientMismatches"
          label="client byte mismatches"
          value={n(s?.clientMismatches, 0)}
          tone={s?.clientMismatches ? 'bad' : undefined}
        />
        <Stat name="events" label="events" value={n(s?.events, 0)} />
      </div>
      <div className="sparks">
        <Spark values={spark.ready} color={C.wake} label="ready count per wake" />
        <Spark values={spark.pending} color={C.write} label="pending output" />
      </div>
    </div>
  );
}
