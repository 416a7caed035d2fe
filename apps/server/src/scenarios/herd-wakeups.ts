/**
 * How many loops the kernel woke for each accepted connection, including the ones that never
 * show it. A loop woken for the listener re-checks it when it gets a CPU; if another loop has
 * accepted the connection by then, its `epoll_wait` finds nothing and goes back to sleep without
 * returning (fs/eventpoll.c `ep_poll`): invisible in the trace, but it cost a wake-up and a
 * context switch. On a busy machine with fewer cores than loops that is the common case.
 *
 * Each loop thread's `voluntary_ctxt_switches` (`/proc/self/task/TID/status`; the tid is the
 * `thread` of its `loop-start`) counts every sleep in `epoll_wait`. Between two samples taken
 * around one connection, a loop other than the winner that slept more often than it returned
 * was woken and found nothing: those are the hidden wake-ups.
 */
import { readFileSync } from 'node:fs';
import type { TraceEvent } from '@loopscope/trace';
import type { ScenarioContext } from './scenario';

interface Window {
  t0: number;
  t1: number;
  v0: number[];
  v1: number[];
}

/** What one run measured (the fields of a `herd-wakeups` event). */
export interface HerdWakeupReport {
  accepts: number;
  /** Over all accepts: loops woken (visible returns with the listener, the winner, hidden wake-ups). */
  woken: number;
  /** Over all accepts: loops whose epoll_wait returned the listener. */
  visible: number;
}

/** Read a thread's voluntary context switches, or null when /proc cannot tell. */
function switches(tid: number): number | null {
  try {
    const m = /voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/self/task/${tid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export class HerdWakeups {
  private readonly tids = new Map<number, number>();
  private readonly listeners = new Set<number>();
  private waits: { loop: number; t: number; listener: boolean }[] = [];
  private wins: { loop: number; t: number }[] = [];
  /** Whether some window could not be measured (/proc unreadable). */
  unreadable = false;
  private readonly windows: Window[] = [];
  private open: { t0: number; v0: number[] } | null = null;
  private readonly stop: () => void;

  constructor(private readonly ctx: ScenarioContext) {
    this.stop = ctx.watch((events) => {
      for (const ev of events) this.take(ev);
    });
  }

  private take(ev: TraceEvent): void {
    if (ev.kind === 'loop-start') this.tids.set(ev.loop, ev.thread);
    else if (ev.kind === 'listener') this.listeners.add(ev.fd);
    else if (ev.kind === 'wait-return') {
      let listener = false;
      for (let i = 0; i < ev.ready.length; i += 2) if (this.listeners.has(ev.ready[i]!)) listener = true;
      this.waits.push({ loop: ev.loop, t: ev.t, listener });
    } else if (ev.kind === 'accept' && ev.outcome === 'won') this.wins.push({ loop: ev.loop, t: ev.t });
  }

  private sample(): number[] | null {
    const out: number[] = [];
    for (let loop = 0; loop < this.ctx.loops; loop++) {
      const tid = this.tids.get(loop);
      const v = tid === undefined ? null : switches(tid);
      if (v === null) return null;
      out.push(v);
    }
    return out;
  }

  /** Call before a connection (loops parked). */
  begin(): void {
    const v0 = this.sample();
    this.open = v0 ? { t0: this.ctx.trace.now(), v0 } : null;
  }

  /** Call after it closed and the loops settled. */
  end(): void {
    const v1 = this.sample();
    if (this.open && v1) this.windows.push({ ...this.open, t1: this.ctx.trace.now(), v1 });
    else this.unreadable = true;
    this.open = null;
  }

  /**
   * The numbers of the connections measured since the last call, or null if there are none. A
   * window's events reach the scenario through the trace a few milliseconds after it closed, so
   * the newest window waits for the next call unless `all` (after the last connection and a
   * pause).
   */
  measured(all = false): HerdWakeupReport | null {
    const ready = all ? this.windows.length : this.windows.length - 1;
    if (ready <= 0) return null;
    const r: HerdWakeupReport = { accepts: 0, woken: 0, visible: 0 };
    for (const w of this.windows.splice(0, ready)) {
      const inside = (t: number) => t > w.t0 && t <= w.t1;
      const win = this.wins.find((a) => inside(a.t));
      if (!win) continue;
      r.accepts++;
      const seen = new Set(this.waits.filter((x) => x.listener && inside(x.t)).map((x) => x.loop));
      seen.add(win.loop);
      let hidden = 0;
      for (let loop = 0; loop < w.v0.length; loop++) {
        if (seen.has(loop)) continue;
        const returns = this.waits.filter((x) => x.loop === loop && inside(x.t)).length;
        if (w.v1[loop]! - w.v0[loop]! > returns) hidden++;
      }
      r.woken += seen.size + hidden;
      r.visible +=
        seen.size - (this.waits.some((x) => x.listener && x.loop === win.loop && inside(x.t)) ? 0 : 1);
    }
    // What no window can need again.
    const from = this.windows[0]?.t0 ?? Number.POSITIVE_INFINITY;
    this.waits = this.waits.filter((x) => x.t > from);
    this.wins = this.wins.filter((x) => x.t > from);
    return r;
  }

  /** Stops watching the trace. */
  close(): void {
    this.stop();
  }
}
