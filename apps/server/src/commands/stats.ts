/** `loopscope stats <recording> [--json]`: the summary numbers of a recording (see `TraceStats`). */
import { StatsAccumulator, type TraceStats } from '@loopscope/trace';
import type { Command } from 'commander';
import { readRecording } from '../recording/index';
import { reportDecodeError } from './validate';

type Row = [string, string];

function fmt(v: number | null): string {
  if (v === null) return '-';
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

function ms(ns: number | null): string {
  return ns === null ? '-' : `${(ns / 1e6).toFixed(3)} ms`;
}

/** Formats stats as an aligned two-column table followed by a per-loop table. */
export function formatStatsTable(s: TraceStats): string {
  const rows: Row[] = [
    ['events', fmt(s.events)],
    ['complete', s.complete ? 'yes' : 'no (no "end" event)'],
    ['duration', ms(s.durationNs)],
    ['loops', fmt(s.loops)],
    ['connections', fmt(s.connections)],
    ['wakeups', fmt(s.wakeups)],
    ['accepts won/declined/eagain', `${s.acceptsWon} / ${s.acceptsDeclined} / ${s.acceptsEagain}`],
    ['listener wakeups per accept', fmt(s.listenerWakeupsPerAccept)],
    [
      'kernel wakeups per accept',
      s.kernelWakeupsPerAccept === null ? '- (not measured)' : fmt(s.kernelWakeupsPerAccept),
    ],
    ['epoll_ctl add/mod/del', `${s.ctlAdd} / ${s.ctlMod} / ${s.ctlDel}`],
    ['reads', fmt(s.reads)],
    ['writes (EAGAIN, partial)', `${s.writes} (${s.writesEagain}, ${s.partialWrites})`],
    ['EAGAIN writes per second', fmt(s.eagainWritesPerSecond)],
    ['bytes read / written', `${s.bytesRead} / ${s.bytesWritten}`],
    ['output bytes overwritten', fmt(s.outputBytesOverwritten)],
    ['syscalls', fmt(s.syscalls)],
    ['requests', fmt(s.requests)],
    ['syscalls per request', fmt(s.syscallsPerRequest)],
    ['ctl MOD per request', fmt(s.ctlModPerRequest)],
    ['client bytes sent / verified', `${s.clientBytesSent} / ${s.clientBytesVerified}`],
    ['client mismatches', fmt(s.clientMismatches)],
    ['latency p50 / p99', `${ms(s.latencyP50Ns)} / ${ms(s.latencyP99Ns)}`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  const lines = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  const head = [
    'loop',
    'waits',
    'wakeups',
    'won',
    'declined',
    'eagain',
    'conns',
    'peak open',
    'requests',
    'syscalls',
  ];
  const body = s.perLoop.map((l) =>
    [
      l.loop,
      l.waits,
      l.wakeups,
      l.acceptsWon,
      l.acceptsDeclined,
      l.acceptsEagain,
      l.connections,
      l.peakOpenConnections,
      l.requests,
      l.syscalls,
    ].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  if (body.length > 0) lines.push('', row(head), ...body.map(row));
  return lines.join('\n') + '\n';
}

/** Registers `stats`. */
export function registerStats(program: Command): void {
  program
    .command('stats')
    .description(
      'Summarise a recording: wakeups, accepts, epoll_ctl and syscalls per request, EAGAIN spins, latency',
    )
    .argument('<recording>', 'recording file (.ndjson)')
    .option('--json', 'print the numbers as JSON (TraceStats) instead of a table')
    .option('--tolerant', 'on a bad line, print the stats of everything before it (still exits 1)')
    .action(async (file: string, opts: { json?: boolean; tolerant?: boolean }) => {
      let acc: StatsAccumulator | null = null;
      // The scenario's own findings (a mark starting with its name, e.g. the herd's loops woken per accept).
      let prefix = '';
      const findings: string[] = [];
      try {
        const r = await readRecording(file, {
          tolerant: opts.tolerant === true,
          onHeader: (h) => {
            acc = new StatsAccumulator(h);
            prefix = h.scenario ? `${h.scenario.name}: ` : '';
          },
          onEvents: (batch) => {
            for (let i = 0; i < batch.length; i++) {
              const ev = batch[i]!;
              acc!.add(ev);
              if (ev.kind === 'mark' && prefix !== '' && ev.text.startsWith(prefix) && findings.length < 20)
                findings.push(ev.text);
            }
          },
        });
        if (acc !== null) {
          const s = (acc as StatsAccumulator).result();
          const notes =
            findings.length > 0 ? `\nscenario marks:\n${findings.map((f) => `  ${f}\n`).join('')}` : '';
          process.stdout.write(
            opts.json === true ? `${JSON.stringify(s, null, 2)}\n` : formatStatsTable(s) + notes,
          );
        }
        if (r.error !== null) reportDecodeError(r.error);
      } catch (err) {
        reportDecodeError(err);
      }
    });
}
