/**
 * `StraceImporter`: `strace -f -tt [-T]` text in, a Loopscope recording (header + events) out,
 * line by line in bounded memory. Feed it with `push(chunk)` or `pushLine(line)`; each call
 * returns the events that became final (in order, numbered from 0); `finish()` returns the last
 * ones with the header and a summary.
 */
import type { TraceEvent } from '../events';
import { makeHeader } from '../header';
import { splitArgs } from './args';
import { WAIT_CALLS, waitStart } from './calls-epoll';
import { Clock } from './clock';
import { exitThread } from './exits';
import { HANDLERS } from './handlers';
import { parseStraceLine, type StraceLine } from './line';
import { type Call, Model } from './model';
import { programFromComments } from './program';
import type { Slot } from './queue';
import {
  type SkippedLine,
  StraceImportError,
  type StraceImportOptions,
  type StraceImportResult,
  type StraceImportSummary,
} from './types';
import type { Epoll, Thread } from './world';

export {
  type SkippedLine,
  StraceImportError,
  type StraceImportOptions,
  type StraceImportResult,
  type StraceImportSummary,
};

interface Pending {
  name: string;
  args: string;
  t: number;
  slot: Slot | null;
  ep: Epoll | null;
}

const NO_EVENTS: TraceEvent[] = [];
const GIVE_UP_AFTER = 2000;

export class StraceImporter {
  private readonly m: Model;
  private readonly opts: StraceImportOptions;
  private readonly pending = new Map<number, Pending>();
  private readonly comments: string[] = [];
  private partial = '';
  private lineNo = 0;
  private parsed = 0;
  private skippedCount = 0;
  private readonly skipped: SkippedLine[] = [];
  private readonly clock = new Clock();

  constructor(opts: StraceImportOptions = {}) {
    this.opts = opts;
    this.m = new Model({
      keepRuntimePoller: opts.keepRuntimePoller ?? false,
      keepNoise: opts.keepNoise ?? true,
      maxHeld: opts.maxHeldEvents ?? 50_000,
    });
  }

  /** Events (and kept places) waiting for a later line; never above `maxHeldEvents` between lines. */
  get heldEvents(): number {
    return this.m.queue.held;
  }

  /** Feeds a chunk of text (any split, even inside a line); returns the events now final. */
  push(chunk: string): TraceEvent[] {
    const text = this.partial + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.handle(text.slice(start, nl));
      start = nl + 1;
    }
    this.partial = text.slice(start);
    return this.drain();
  }

  /** Feeds one line (without its newline); returns the events now final. */
  pushLine(line: string): TraceEvent[] {
    this.handle(line);
    return this.drain();
  }

  /** Ends the import: the rest of the events, the header and the summary. */
  finish(): StraceImportResult {
    if (this.partial !== '') this.handle(this.partial);
    this.partial = '';
    if (this.parsed === 0) throw new StraceImportError(this.notStrace());
    const unfinished = this.pending.size;
    for (const [tid, p] of this.pending) this.cutOff(tid, p, 'the log ends before the call returned');
    this.pending.clear();
    for (const th of this.m.world.threads.values()) if (th.current !== null) this.m.settleWakes(th.current);
    for (const p of this.m.world.roots()) for (const ep of p.epolls.values()) this.m.settleWakes(ep);
    this.m.queue.flush(true);
    const events = this.m.queue.take();
    const q = this.m.queue.counts;
    const summary: StraceImportSummary = {
      lines: this.lineNo,
      parsedLines: this.parsed,
      skippedLines: this.skippedCount,
      skipped: this.skipped,
      loops: this.m.queue.loops,
      events: this.m.queue.released,
      pids: this.m.world.pids(),
      runtimePollerEvents: q.runtimePoller,
      noiseDropped: q.noiseDropped,
      otherEvents: q.otherKept,
      unfinishedAtEnd: unfinished,
      clampedTimes: q.clamped,
      forcedHolds: q.forced,
      unmapped: Object.fromEntries(this.m.unmapped),
    };
    const header = makeHeader({
      mode: 'strace',
      loops: summary.loops,
      balance: null,
      scenario: null,
      host: null,
      source: {
        type: 'strace',
        program: this.opts.program ?? programFromComments(this.comments),
        pids: summary.pids,
        seed: null,
      },
      ...(this.opts.created === undefined ? {} : { created: this.opts.created }),
    });
    return { header, events, summary };
  }

  private drain(): TraceEvent[] {
    this.m.queue.flush();
    const out = this.m.queue.take();
    return out.length === 0 ? NO_EVENTS : out;
  }

  private notStrace(): string {
    const first = this.skipped[0];
    const why = first === undefined ? 'the input is empty' : `line ${first.line}: ${first.reason}`;
    return `not an strace log: none of ${this.lineNo} lines is strace -f -tt output (${why})`;
  }

  private skip(reason: string, text: string): void {
    this.skippedCount++;
    if (this.skipped.length < (this.opts.reportSkipped ?? 10)) {
      this.skipped.push({ line: this.lineNo, reason, text: text.slice(0, 200) });
    }
    if (this.parsed === 0 && this.skippedCount >= GIVE_UP_AFTER)
      throw new StraceImportError(this.notStrace());
  }

  /** One line, then release what it made final (so a huge chunk holds no more than `maxHeld`). */
  private handle(raw: string): void {
    this.handleLine(raw);
    this.m.queue.flush();
  }

  private handleLine(raw: string): void {
    this.lineNo++;
    let line: StraceLine;
    try {
      line = parseStraceLine(raw);
    } catch (err) {
      this.skip(`unreadable: ${err instanceof Error ? err.message : String(err)}`, raw);
      return;
    }
    if (line.type === 'blank') return;
    if (line.type === 'comment') {
      if (this.comments.length < 20) this.comments.push(line.text);
      return;
    }
    if (line.type === 'bad') {
      this.skip(line.reason, raw);
      return;
    }
    if (!this.clock.sameStyle(line.time)) {
      this.skip('timestamp style changed (-tt vs -ttt)', raw);
      return;
    }
    const t = this.clock.at(line.time);
    if (t === null) {
      this.skip('timestamp out of range', raw);
      return;
    }
    this.parsed++;
    const tid = line.pid ?? 0;
    const th = this.m.world.thread(tid);
    switch (line.type) {
      case 'signal':
        this.m.other(t, th, line.signal, line.detail);
        return;
      case 'exit': {
        const p = this.pending.get(tid);
        if (p !== undefined) this.cutOff(tid, p, line.text);
        exitThread(this.m, th, line.text, line.killed, t);
        return;
      }
      case 'unfinished':
        this.unfinished(th, line.name, line.args, t);
        return;
      case 'resumed':
        this.resumed(th, line, t);
        return;
      case 'call':
        this.dispatch({
          th,
          name: line.name,
          text: line.args,
          args: splitArgs(line.args),
          t,
          startT: t,
          enterSlot: null,
          waitEp: null,
          res: line,
        });
    }
  }

  private unfinished(th: Thread, name: string, args: string, t: number): void {
    const old = this.pending.get(th.tid);
    if (old !== undefined) this.cutOff(th.tid, old, 'a new call started before it resumed');
    const isWait = WAIT_CALLS.has(name);
    const ep = isWait ? waitStart(this.m, th, args, t) : null;
    const held = {
      kind: 'other',
      t,
      loop: -1,
      name,
      detail: `started (held too long to wait for its return): ${args}`,
    } as const;
    const slot = isWait
      ? this.m.queue.slot(() => [{ ev: { ...held }, loop: ep?.ref ?? null, target: null, noise: null }])
      : null;
    this.pending.set(th.tid, { name, args, t, slot, ep });
  }

  private resumed(th: Thread, line: Extract<StraceLine, { type: 'resumed' }>, t: number): void {
    const p = this.pending.get(th.tid);
    if (p === undefined || p.name !== line.name) {
      this.skip(`${line.name} resumed without its start`, '');
      this.parsed--;
      return;
    }
    this.pending.delete(th.tid);
    const head = p.args.trimEnd();
    const text = line.args === '' ? head : head === '' ? line.args : `${head} ${line.args}`;
    this.dispatch({
      th,
      name: line.name,
      text,
      args: splitArgs(text),
      t,
      startT: p.t,
      enterSlot: p.slot,
      waitEp: p.ep,
      res: line,
    });
  }

  /** A call that never returned in the log: an `other` event where it started. */
  private cutOff(tid: number, p: Pending, why: string): void {
    this.pending.delete(tid);
    const ev = {
      kind: 'other',
      t: p.t,
      loop: -1,
      name: p.name,
      detail: `unfinished (${why}): ${p.args}`,
    } as const;
    if (p.slot !== null) p.slot.resolve([{ ev, loop: p.ep?.ref ?? null, target: null, noise: null }]);
    else this.m.other(p.t, this.m.world.thread(tid), p.name, ev.detail);
  }

  private dispatch(c: Call): void {
    if (c.res.value === null && !WAIT_CALLS.has(c.name)) {
      this.m.other(c.t, c.th, c.name, `no result: ${c.text} = ${c.res.ret}`);
      return;
    }
    const handler = HANDLERS.get(c.name);
    if (handler !== undefined) handler(this.m, c);
    else this.m.other(c.t, c.th, c.name, `${c.text} = ${c.res.ret}`);
  }
}

/** Imports a whole log held in memory (tests, small files). */
export function importStrace(
  text: string,
  opts: StraceImportOptions = {},
): StraceImportResult & { all: TraceEvent[] } {
  const imp = new StraceImporter(opts);
  const all = [...imp.push(text)];
  const res = imp.finish();
  for (const ev of res.events) all.push(ev);
  return { ...res, all };
}
