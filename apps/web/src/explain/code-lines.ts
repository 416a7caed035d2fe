/**
 * Finds the lines of Loopscope's own loop code that produced an event: the dispatch line that
 * chose the branch, and the branch function itself (one small named function per branch).
 */

import sources from 'virtual:loop-source';
import type { TraceEvent } from '@loopscope/trace';
import type { BranchName } from '../model/types';

export interface CodeSpan {
  file: string;
  /** 0-based first and last line of the function. */
  from: number;
  to: number;
  /** Lines to highlight inside it (0-based). */
  hot: number[];
  name: string;
}

const lineCache = new Map<string, string[]>();
function linesOf(file: string): string[] {
  let l = lineCache.get(file);
  if (!l) {
    l = (sources[file] ?? '').split('\n');
    lineCache.set(file, l);
  }
  return l;
}

/** True when the loop source was bundled into this build. */
export function haveSource(): boolean {
  return Object.keys(sources).length > 0;
}

const found = new Map<string, CodeSpan | null>();

/**
 * Finds `function name(` or a method `name(` and its extent by brace counting. Cached: the
 * explanation asks for it on every event, 60 times a second while following a live run.
 */
export function findFunction(name: string): CodeSpan | null {
  if (!found.has(name)) found.set(name, scanFunction(name));
  const span = found.get(name) ?? null;
  // A copy: callers add their hot lines to it.
  return span === null ? null : { ...span, hot: [] };
}

function scanFunction(name: string): CodeSpan | null {
  const decl = new RegExp(
    `^\\s*(export\\s+)?(function\\s+${name}\\b|(private\\s+|public\\s+)?${name}\\s*\\()`,
  );
  for (const file of Object.keys(sources)) {
    const lines = linesOf(file);
    const start = lines.findIndex((l) => decl.test(l) && !l.trim().startsWith('//'));
    if (start < 0) continue;
    let depth = 0;
    let opened = false;
    for (let i = start; i < lines.length; i++) {
      for (const ch of lines[i]!) {
        if (ch === '{') {
          depth++;
          opened = true;
        } else if (ch === '}') depth--;
      }
      if (opened && depth <= 0) return { file, from: start, to: i, hot: [], name };
    }
    return { file, from: start, to: lines.length - 1, hot: [], name };
  }
  return null;
}

/** The function that produced an event, given the branch the loop was in. */
export function producerOf(ev: TraceEvent, branch: BranchName | null): string {
  switch (ev.kind) {
    case 'wait-enter':
    case 'wait-return':
      return 'waitPhase';
    case 'notes':
      return 'drainNotes';
    case 'eventfd':
      return ev.op === 'write' ? 'wakeConn' : 'dispatchPhase';
    case 'wake':
      return 'wakeConn';
    case 'loop-start':
    case 'listener':
      return 'start';
    case 'loop-stop':
      return 'stop';
    case 'accept':
    case 'herd-wakeups': // measured outside the loop, about its accepts
      return 'loopAccept';
    case 'opened':
      return 'loopOpened';
    case 'read':
      return 'loopRead';
    case 'write':
      return 'loopWrite';
    case 'action':
      return 'loopAction';
    case 'close':
      return 'loopCloseConn';
    case 'overwrite':
      return ev.path === 'wake' ? 'loopWake' : 'loopRead';
    case 'out':
      return {
        opened: 'loopOpened',
        data: 'loopRead',
        wake: 'loopWake',
        write: 'loopWrite',
        discard: 'loopCloseConn',
      }[ev.cause];
    case 'mark':
      return ev.text.startsWith('stale') ? 'dispatchFd' : (branch ?? 'runOnce');
    default:
      return branch && branch !== 'loopRun' ? branch : 'runOnce';
  }
}

/** Words of the event worth highlighting inside its function. */
function needles(ev: TraceEvent): string[] {
  switch (ev.kind) {
    case 'ctl':
      return [`ctl('${ev.op}'`];
    case 'accept':
      return [`'${ev.outcome}'`];
    case 'write':
      return ev.result === 'eagain' ? ['EAGAIN', 'writeOnce'] : ['writeOnce', 'kernel.write'];
    case 'read':
      return ['kernel.read', ev.result === 'eagain' ? 'EAGAIN' : 'handleInput'];
    case 'handler':
      return ['callHandler'];
    case 'close':
      return ['kernel.close', "kind: 'close'"];
    case 'out':
      return ['traceOut'];
    case 'overwrite':
      return ['overwrite'];
    case 'wait-enter':
      return ["'wait-enter'", 'pollWait'];
    case 'wait-return':
      return ['pollWait', "'wait-return'"];
    default:
      return [`'${ev.kind}'`];
  }
}

/** The code spans to show for an event: the dispatch line that chose the branch, then the branch. */
export function codeFor(ev: TraceEvent, branch: BranchName | null): CodeSpan[] {
  const name = producerOf(ev, branch);
  const spans: CodeSpan[] = [];
  if (name.startsWith('loop') && name !== 'loopWake') {
    const d = findFunction('dispatchFd');
    if (d) {
      const lines = linesOf(d.file);
      for (let i = d.from; i <= d.to; i++) if (lines[i]!.includes(`${name}(`)) d.hot.push(i);
      spans.push(d);
    }
  }
  const f = findFunction(name);
  if (f) {
    const lines = linesOf(f.file);
    const words = needles(ev);
    for (let i = f.from; i <= f.to; i++) if (words.some((w) => lines[i]!.includes(w))) f.hot.push(i);
    spans.push(f);
  }
  return spans;
}

export function sourceLines(file: string): string[] {
  return linesOf(file);
}
