/**
 * Export to the Chrome Trace Event JSON format, which ui.perfetto.dev (and chrome://tracing)
 * open: one process per recording, one thread track per loop (tid = loop + 1), tid 0 for the
 * server's own thread, one track per scenario client. `epoll_wait` and handlers are complete
 * slices, syscalls and decisions are instants, pending output and ready counts are counters,
 * connection lifetimes are async slices (id = `fd:gen`). Timestamps are microseconds.
 */
import { maskName, type TraceEvent } from './events';
import type { TraceHeader } from './header';

/** One Chrome trace event. */
export interface ChromeTraceEvent {
  ph: 'X' | 'i' | 'C' | 'b' | 'e' | 'M';
  name: string;
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  s?: 't' | 'p' | 'g';
  id?: string;
  args?: Record<string, unknown>;
}

/** A streaming exporter: concatenate every string `push` and `finish` return, in order. */
export interface PerfettoExporter {
  /** Adds one event (in recording order); returns the JSON text to append (may be empty). */
  push(ev: TraceEvent): string;
  /** Closes open slices and the JSON document; returns the last text to append. */
  finish(): string;
}

/** The process id every event of the recording gets. */
export const PERFETTO_PID = 1;
/** Client `n` is drawn on the track with this tid + n. */
export const PERFETTO_CLIENT_TID_BASE = 1_000_000;

const us = (ns: number): number => ns / 1000;

function readyText(ready: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i + 1 < ready.length; i += 2) parts.push(`${ready[i]}:${maskName(ready[i + 1]!)}`);
  return parts.join(' ');
}

function tidOf(ev: TraceEvent): number {
  if (ev.loop >= 0) return ev.loop + 1;
  if (ev.kind.startsWith('client-')) return PERFETTO_CLIENT_TID_BASE + (ev as { client: number }).client;
  return 0;
}

function trackName(tid: number): string {
  if (tid === 0) return 'server';
  if (tid >= PERFETTO_CLIENT_TID_BASE) return `client ${tid - PERFETTO_CLIENT_TID_BASE}`;
  return `loop ${tid - 1}`;
}

/** The event's own fields, for the args panel. */
function argsOf(ev: TraceEvent): Record<string, unknown> {
  const { seq, t, loop, kind, ...rest } = ev;
  return { seq, ...rest };
}

/** Instant name: the syscall or decision and its outcome. */
function instantName(ev: TraceEvent): string {
  switch (ev.kind) {
    case 'accept':
      return `accept ${ev.outcome}`;
    case 'ctl':
      return `epoll_ctl ${ev.op.toUpperCase()} ${maskName(ev.new)}`;
    case 'read':
      return `read ${ev.result}`;
    case 'write':
      return ev.result === 'eagain' ? 'write EAGAIN' : `write ${ev.result}`;
    case 'sys':
      return ev.name;
    case 'other':
      return ev.name;
    case 'eventfd':
      return `eventfd ${ev.op}`;
    case 'close':
      return `close ${ev.reason}`;
    default:
      return ev.kind;
  }
}

interface OpenConn {
  gen: number;
  loop: number;
  pending: number;
  tid: number;
}

/**
 * Creates a streaming exporter. The header (if any) names the process and its loop tracks.
 * Memory: one entry per open connection and per loop.
 */
export function createPerfettoExporter(header: TraceHeader | null = null): PerfettoExporter {
  let started = false;
  let count = 0;
  let lastT = 0;
  const tids = new Set<number>();
  const waits = new Map<number, { t: number; timeoutMs: number }>();
  const conns = new Map<number, OpenConn>();
  const pendingPerLoop = new Map<number, number>();
  let out: string[] = [];

  const emit = (e: ChromeTraceEvent): void => {
    out.push((count++ === 0 ? '' : ',\n') + JSON.stringify(e));
  };
  const meta = (name: string, tid: number, args: Record<string, unknown>): void =>
    emit({ ph: 'M', name, ts: 0, pid: PERFETTO_PID, tid, args });
  const track = (tid: number): void => {
    if (tids.has(tid)) return;
    tids.add(tid);
    meta('thread_name', tid, { name: trackName(tid) });
    meta('thread_sort_index', tid, { sort_index: tid });
  };
  const start = (): void => {
    if (started) return;
    started = true;
    out.push('{"displayTimeUnit":"ns","traceEvents":[\n');
    const what =
      header === null
        ? ''
        : ` ${header.scenario?.name ?? header.source.type} mode=${header.mode} loops=${header.loops}`;
    meta('process_name', 0, { name: `loopscope${what}` });
    for (let i = 0; i < (header?.loops ?? 0); i++) track(i + 1);
  };
  const take = (): string => {
    const s = out.join('');
    out = [];
    return s;
  };
  const counter = (name: string, ts: number, args: Record<string, number>): void =>
    emit({ ph: 'C', name, ts, pid: PERFETTO_PID, tid: 0, args });
  const setPending = (fd: number, pending: number, ts: number): void => {
    const c = conns.get(fd);
    if (c === undefined) return;
    const total = (pendingPerLoop.get(c.loop) ?? 0) - c.pending + pending;
    c.pending = pending;
    pendingPerLoop.set(c.loop, total);
    counter(`loop ${c.loop} pending output`, ts, { bytes: total });
  };
  const endConn = (fd: number, ts: number, args: Record<string, unknown>): void => {
    const c = conns.get(fd);
    if (c === undefined) return;
    if (c.pending > 0) setPending(fd, 0, ts);
    conns.delete(fd);
    const id = `${fd}:${c.gen}`;
    emit({ ph: 'e', cat: 'conn', name: `conn ${id}`, id, ts, pid: PERFETTO_PID, tid: c.tid, args });
  };

  return {
    push(ev: TraceEvent): string {
      start();
      const tid = tidOf(ev);
      track(tid);
      const ts = us(ev.t);
      lastT = ev.t;
      const base = { pid: PERFETTO_PID, tid };
      switch (ev.kind) {
        case 'wait-enter':
          waits.set(ev.loop, { t: ev.t, timeoutMs: ev.timeoutMs });
          break;
        case 'wait-return': {
          const w = waits.get(ev.loop);
          waits.delete(ev.loop);
          const from = w?.t ?? (ev.blockedNs >= 0 ? Math.max(0, ev.t - ev.blockedNs) : ev.t);
          const args = { ...argsOf(ev), ready: readyText(ev.ready), timeoutMs: w?.timeoutMs ?? null };
          emit({
            ph: 'X',
            cat: 'wait',
            name: 'epoll_wait',
            ts: us(from),
            dur: us(ev.t - from),
            ...base,
            args,
          });
          counter(`loop ${ev.loop} ready`, ts, { ready: Math.max(0, ev.n) });
          break;
        }
        case 'handler': {
          const from = Math.max(0, ev.t - ev.durNs);
          emit({
            ph: 'X',
            cat: 'handler',
            name: `handler ${ev.handler}`,
            ts: us(from),
            dur: us(ev.t - from),
            ...base,
            args: argsOf(ev),
          });
          break;
        }
        case 'out':
          setPending(ev.fd, ev.pending, ts);
          break;
        default:
          emit({ ph: 'i', s: 't', cat: ev.kind, name: instantName(ev), ts, ...base, args: argsOf(ev) });
      }
      if (ev.kind === 'accept' && ev.outcome === 'won' && ev.fd !== null) {
        endConn(ev.fd, ts, { reused: true });
        const id = `${ev.fd}:${ev.gen}`;
        conns.set(ev.fd, { gen: ev.gen ?? -1, loop: ev.loop, pending: 0, tid });
        emit({ ph: 'b', cat: 'conn', name: `conn ${id}`, id, ts, ...base, args: { remote: ev.remote } });
      } else if (ev.kind === 'close' && conns.get(ev.fd)?.gen === ev.gen) {
        endConn(ev.fd, ts, { reason: ev.reason, discarded: ev.discarded });
      }
      return take();
    },

    finish(): string {
      start();
      for (const [loop, w] of waits) {
        const args = { unfinished: true, timeoutMs: w.timeoutMs };
        emit({
          ph: 'X',
          cat: 'wait',
          name: 'epoll_wait',
          ts: us(w.t),
          dur: us(lastT - w.t),
          pid: PERFETTO_PID,
          tid: loop + 1,
          args,
        });
      }
      waits.clear();
      for (const fd of [...conns.keys()]) endConn(fd, us(lastT), { open: true });
      out.push('\n]}\n');
      return take();
    },
  };
}

/** Exports a recording held in memory as one Chrome Trace Event JSON document. */
export function toPerfettoJson(header: TraceHeader | null, events: Iterable<TraceEvent>): string {
  const ex = createPerfettoExporter(header);
  const parts: string[] = [];
  for (const ev of events) parts.push(ex.push(ev));
  parts.push(ex.finish());
  return parts.join('');
}
