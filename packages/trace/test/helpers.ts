import { readFileSync } from 'node:fs';
import { encodeEvent, encodeHeader, makeHeader, type TraceEvent, type TraceHeader } from '../src/index';

/** The hand-written evio echo fixture, as text. */
export const FIXTURE = readFileSync(new URL('./fixtures/evio-echo.ndjson', import.meta.url), 'utf8');

/** A small valid header. */
export const HEADER: TraceHeader = makeHeader({
  created: '2026-11-27T00:00:00.000Z',
  mode: 'evio',
  loops: 2,
  balance: 'round-robin',
  scenario: { name: 'echo', params: { clients: 2, note: 'café ☕' } },
  host: { platform: 'linux', arch: 'x64', kernel: '6.18', cpus: 2, runtime: 'node 20' },
  source: { type: 'sim', program: null, pids: [], seed: 42 },
});

/** `n` valid events of a few kinds, seq from 0, t increasing; strings include multibyte text. */
export function sampleEvents(n: number): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (let seq = 0; seq < n; seq++) {
    const t = seq * 1000;
    const loop = seq % 2;
    switch (seq % 5) {
      case 0:
        out.push({
          seq,
          t,
          loop,
          kind: 'wait-return',
          n: 2,
          ready: [7, 1, 10, 4],
          errno: null,
          blockedNs: 900,
        });
        break;
      case 1:
        out.push({
          seq,
          t,
          loop,
          kind: 'read',
          fd: 10,
          gen: 3,
          sys: 'read',
          max: 65535,
          bytes: 64,
          result: 'data',
          errno: null,
        });
        break;
      case 2:
        out.push({
          seq,
          t,
          loop,
          kind: 'ctl',
          epfd: 8,
          op: 'mod',
          fd: 10,
          gen: 3,
          old: 1,
          new: 5,
          errno: null,
        });
        break;
      case 3:
        out.push({ seq, t, loop: -1, kind: 'mark', text: `phase ${seq}: überprüfen → 検証 😀` });
        break;
      default:
        out.push({
          seq,
          t,
          loop,
          kind: 'write',
          fd: 10,
          gen: 3,
          sys: 'write',
          asked: 64,
          written: 10,
          result: 'partial',
          errno: null,
        });
    }
  }
  return out;
}

/** A recording text: header line and one line per event, each ended by `\n`. */
export function recordingText(events: TraceEvent[], header: TraceHeader = HEADER): string {
  return [encodeHeader(header), ...events.map(encodeEvent)].join('\n') + '\n';
}

/** The fixture with line `line` (1-based) replaced by `text`. */
export function fixtureWithLine(line: number, text: string): string {
  const lines = FIXTURE.split('\n');
  lines[line - 1] = text;
  return lines.join('\n');
}
