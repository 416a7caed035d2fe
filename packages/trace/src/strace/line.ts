/**
 * One line of `strace -f -tt [-T]` (or `-ttt`) output, parsed into a plain record. Handles the
 * `PID ` prefix of `-o FILE`, the `[pid  N] ` prefix of output to a terminal, no prefix at all,
 * `<unfinished ...>` / `<... NAME resumed>` halves, signals (`--- SIGURG {...} ---`), exits
 * (`+++ exited with 0 +++`) and `#` comments. Never throws: anything else is a `bad` line
 * with a reason.
 */
import { findClose } from './args';

/** A wall-clock time as printed: seconds (of the day for `-tt`, of the epoch for `-ttt`) and ns. */
export interface Stamp {
  sec: number;
  ns: number;
  epoch: boolean;
}

/** Fields every parsed strace event line has. */
interface LineBase {
  /** The thread id, or null if the log has no pid column (one process, no `-f`). */
  pid: number | null;
  time: Stamp;
}

/** The result part of a finished call. */
export interface CallResult {
  /** The return value as printed (`0`, `-1`, `0x802`, `?`). */
  ret: string;
  /** The return value as a number; null for `?` or anything unreadable. */
  value: number | null;
  /** The errno name after `-1` (`EAGAIN`), or null. */
  errno: string | null;
  /** The `-T` duration in ns, or null if not printed. */
  durNs: number | null;
}

export type StraceLine =
  | (LineBase & { type: 'call'; name: string; args: string } & CallResult)
  | (LineBase & { type: 'unfinished'; name: string; args: string })
  | (LineBase & { type: 'resumed'; name: string; args: string } & CallResult)
  | (LineBase & { type: 'signal'; signal: string; detail: string })
  | (LineBase & { type: 'exit'; text: string; killed: boolean })
  | { type: 'comment'; text: string }
  | { type: 'blank' }
  | { type: 'bad'; reason: string };

const PREFIX_RE =
  /^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(?:(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?|(\d{6,})\.(\d{1,9}))\s+/;
const NAME_RE = /^([A-Za-z_][A-Za-z0-9_]*)\(/;
const RESUMED_RE = /^<\.\.\. ([A-Za-z_][A-Za-z0-9_]*) resumed>\s?/;
const UNFINISHED = '<unfinished ...>';
const RESULT_RE = /^\s*=\s*(-?\d+|0x[0-9a-fA-F]+|\?)(?:<[^>]*>)?(?:\s+([A-Z][A-Z0-9_]*))?/;
const SIGNAL_RE = /SIG[A-Z0-9]+/;
const DUR_RE = /<(\d+)\.(\d+)>\s*$/;
const NO_TIME_RE = /^(?:\[pid\s+\d+\]\s+|\d+\s+)?[A-Za-z_][A-Za-z0-9_]*\(/;

/** Converts a fraction such as `000123` (any number of digits up to 9) to nanoseconds. */
function fractionNs(frac: string | undefined): number {
  if (frac === undefined || frac === '') return 0;
  if (frac.length > 9) return Number(frac.slice(0, 9));
  return Number(frac) * POW10[9 - frac.length]!;
}

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/** Parses the `= ret ERRNO (text) <dur>` tail after a call's closing parenthesis. */
export function parseResult(tail: string): CallResult | null {
  const m = RESULT_RE.exec(tail);
  if (m === null) return null;
  const ret = m[1]!;
  let value: number | null = null;
  if (ret !== '?') {
    const neg = ret.startsWith('-');
    const v = Number(neg ? ret.slice(1) : ret);
    value = Number.isSafeInteger(v) ? (neg ? -v : v) : null;
  }
  const errno = m[2] !== undefined && (value === null || value < 0) ? m[2] : null;
  const d = DUR_RE.exec(tail);
  const dur = d === null ? null : Number(d[1]) * 1e9 + fractionNs(d[2]);
  const durNs = dur !== null && Number.isSafeInteger(dur) ? dur : null;
  return { ret, value, errno, durNs };
}

/** Parses one line of strace output (without its newline). */
export function parseStraceLine(raw: string): StraceLine {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.trim() === '') return { type: 'blank' };
  if (line.startsWith('#')) return { type: 'comment', text: line.slice(1).trim() };
  const m = PREFIX_RE.exec(line);
  if (m === null) {
    return {
      type: 'bad',
      reason: NO_TIME_RE.test(line) ? 'no timestamp (use strace -tt)' : 'not a strace line',
    };
  }
  const pidText = m[1] ?? m[2];
  const pid = pidText === undefined ? null : Number(pidText);
  if (pid !== null && !Number.isSafeInteger(pid)) return { type: 'bad', reason: 'pid out of range' };
  const time: Stamp =
    m[7] !== undefined
      ? { sec: Number(m[7]), ns: fractionNs(m[8]), epoch: true }
      : { sec: Number(m[3]) * 3600 + Number(m[4]) * 60 + Number(m[5]), ns: fractionNs(m[6]), epoch: false };
  const rest = line.slice(m[0].length);
  return parseBody(rest, { pid, time });
}

function parseBody(rest: string, base: LineBase): StraceLine {
  if (rest.startsWith('--- ')) {
    const body = rest.endsWith(' ---') ? rest.slice(4, -4) : rest.slice(4);
    // `--- SIGURG {...} ---`, also `--- stopped by SIGSTOP ---`.
    const signal = SIGNAL_RE.exec(body)?.[0] ?? 'signal';
    return { type: 'signal', pid: base.pid, time: base.time, signal, detail: body };
  }
  if (rest.startsWith('+++ ')) {
    if (!rest.endsWith(' +++')) return { type: 'bad', reason: 'exit line cut in the middle' };
    const text = rest.slice(4, -4);
    return { type: 'exit', pid: base.pid, time: base.time, text, killed: text.startsWith('killed') };
  }
  const r = RESUMED_RE.exec(rest);
  if (r !== null) return parseResumed(rest.slice(r[0].length), r[1]!, base);
  const n = NAME_RE.exec(rest);
  if (n === null) return { type: 'bad', reason: 'no syscall name' };
  const name = n[1]!;
  const open = n[0].length;
  if (rest.endsWith(UNFINISHED)) {
    const args = rest.slice(open, -UNFINISHED.length).trim();
    return { type: 'unfinished', pid: base.pid, time: base.time, name, args };
  }
  const close = findClose(rest, open);
  if (close < 0) return { type: 'bad', reason: `${name}: line cut in the middle (no closing parenthesis)` };
  const result = parseResult(rest.slice(close + 1));
  if (result === null) return { type: 'bad', reason: `${name}: no result (line cut in the middle?)` };
  const { ret, value, errno, durNs } = result;
  return {
    type: 'call',
    pid: base.pid,
    time: base.time,
    name,
    args: rest.slice(open, close),
    ret,
    value,
    errno,
    durNs,
  };
}

function parseResumed(rest: string, name: string, base: LineBase): StraceLine {
  // A call cut off by a signal that killed the process: `<... epoll_wait resumed> <unfinished ...>) = ?`.
  const body = rest.startsWith(UNFINISHED) ? rest.slice(UNFINISHED.length) : rest;
  const close = findClose(body, 0);
  if (close < 0) return { type: 'bad', reason: `${name} resumed: line cut in the middle` };
  const result = parseResult(body.slice(close + 1));
  if (result === null) return { type: 'bad', reason: `${name} resumed: no result` };
  const { ret, value, errno, durNs } = result;
  return {
    type: 'resumed',
    pid: base.pid,
    time: base.time,
    name,
    args: body.slice(0, close).trim(),
    ret,
    value,
    errno,
    durNs,
  };
}
