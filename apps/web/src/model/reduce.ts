/**
 * The reducer: `reduce(model, event)` returns the model after one more event, leaving the input
 * untouched; `applyEvent` does the same in place (the cursor uses it between snapshots).
 */
import { assertNever, type HandlerCall, type TraceEvent } from '@loopscope/trace';
import { cloneModel, ensureLoop, findConn, newConn } from './model';
import { applyAccept } from './reduce-accept';
import {
  applyAction,
  applyClose,
  applyCtl,
  applyOpened,
  applyOut,
  applyOverwrite,
  applyRead,
  applyWrite,
} from './reduce-conn';
import type { BranchName, ClientState, Model } from './types';

/** The pure reducer: a new model, the input unchanged. */
export function reduce(model: Model, ev: TraceEvent): Model {
  const next = cloneModel(model);
  applyEvent(next, ev);
  return next;
}

const HANDLER_BRANCH: Record<HandlerCall['handler'], BranchName> = {
  serving: 'loopRun',
  opened: 'loopOpened',
  data: 'loopRead',
  wake: 'loopWake',
  closed: 'loopCloseConn',
  detached: 'loopAction',
  prewrite: 'loopWrite',
  tick: 'loopNote',
};

function client(m: Model, id: number): ClientState {
  let c = m.clients.get(id);
  if (!c) {
    c = {
      id,
      local: '',
      sent: 0,
      received: 0,
      verified: 0,
      mismatches: 0,
      detail: null,
      replies: 0,
      lastLatencyNs: -1,
      closed: false,
      error: null,
    };
    m.clients.set(id, c);
  }
  return c;
}

function applyHandler(m: Model, ev: HandlerCall): void {
  m.counters.handlers++;
  if (ev.loop < 0) return;
  const loop = ensureLoop(m, ev.loop);
  const busy = { handler: ev.handler, fd: ev.fd, durNs: ev.durNs, seq: ev.seq };
  loop.busy = busy;
  if (ev.handler !== 'prewrite') loop.branch = HANDLER_BRANCH[ev.handler];
  if (ev.fd === null) return;
  const c = findConn(m, ev.loop, ev.fd, ev.gen);
  if (!c) return;
  c.busy = busy;
  if (ev.handler === 'data' || ev.handler === 'wake' || ev.handler === 'opened') c.action = ev.action;
}

function applyWaitEnter(m: Model, ev: TraceEvent & { kind: 'wait-enter' }): void {
  const loop = ensureLoop(m, ev.loop);
  loop.state = 'waiting';
  loop.busy = null;
  loop.branch = 'loopRun';
  for (const c of m.conns[ev.loop]!.values()) c.busy = null;
}

function applyWaitReturn(m: Model, ev: TraceEvent & { kind: 'wait-return' }): void {
  const loop = ensureLoop(m, ev.loop);
  m.counters.syscalls++;
  m.counters.waits++;
  loop.state = 'awake';
  loop.branch = 'loopRun';
  loop.lastWakeSeq = ev.seq;
  loop.lastReady = Math.max(0, ev.n);
  const fds: number[] = [];
  for (let i = 0; i < ev.ready.length; i += 2) fds.push(ev.ready[i]!);
  loop.readyFds = fds;
  if (ev.n > 0) {
    loop.wakeups++;
    m.counters.wakeups++;
  } else if (ev.n === 0) {
    loop.timeouts++;
    m.counters.timeouts++;
  }
}

/** Applies one event to `m` in place. Events for unknown loops create them; stale ones are ignored. */
export function applyEvent(m: Model, ev: TraceEvent): void {
  m.applied++;
  m.counters.events++;
  m.lastSeq = ev.seq;
  m.lastKind = ev.kind;
  if (ev.t > m.t) m.t = ev.t;
  switch (ev.kind) {
    case 'loop-start': {
      const loop = ensureLoop(m, ev.loop);
      loop.epfd = ev.epfd;
      loop.wakeFd = ev.wakeFd;
      loop.thread = ev.thread;
      break;
    }
    case 'loop-stop': {
      const loop = ensureLoop(m, ev.loop);
      loop.state = 'stopped';
      loop.stopReason = ev.error ?? ev.reason;
      break;
    }
    case 'wait-enter':
      applyWaitEnter(m, ev);
      break;
    case 'wait-return':
      applyWaitReturn(m, ev);
      break;
    case 'notes':
      if (ev.loop >= 0) ensureLoop(m, ev.loop).branch = 'loopNote';
      break;
    case 'eventfd':
      m.counters.syscalls++;
      break;
    case 'listener': {
      let l = m.listeners.find((x) => x.fd === ev.fd);
      if (!l) {
        l = {
          fd: ev.fd,
          addr: ev.addr,
          index: ev.index,
          network: ev.network,
          reuseport: ev.reuseport,
          exclusive: false,
          loops: [],
        };
        m.listeners.push(l);
      }
      if (ev.loop >= 0 && !l.loops.includes(ev.loop)) l.loops.push(ev.loop);
      break;
    }
    case 'accept': {
      const loop = ensureLoop(m, ev.loop);
      loop.branch = 'loopAccept';
      applyAccept(m, ev);
      if (ev.outcome !== 'declined') m.counters.syscalls++;
      if (ev.outcome === 'won' && ev.fd !== null && ev.gen !== null) {
        m.counters.acceptsWon++;
        loop.conns++;
        m.conns[ev.loop]!.set(ev.fd, newConn(ev.loop, ev.fd, ev.gen, ev.remote ?? '', ev.seq));
      } else if (ev.outcome === 'declined') {
        m.counters.acceptsDeclined++;
        loop.wastedWakeups++;
      } else if (ev.outcome === 'eagain') {
        m.counters.acceptsEagain++;
        loop.wastedWakeups++;
      }
      break;
    }
    case 'opened':
      applyOpened(m, ev);
      break;
    case 'ctl':
      applyCtl(m, ev);
      break;
    case 'read':
      applyRead(m, ev);
      break;
    case 'handler':
      applyHandler(m, ev);
      break;
    case 'write':
      applyWrite(m, ev);
      break;
    case 'out':
      applyOut(m, ev);
      break;
    case 'overwrite':
      applyOverwrite(m, ev);
      break;
    case 'wake':
      break;
    case 'action':
      applyAction(m, ev);
      break;
    case 'close':
      applyClose(m, ev);
      break;
    case 'sys':
      m.counters.syscalls++;
      break;
    case 'fault':
      m.counters.faults++;
      break;
    case 'client-connect':
      m.lastClientConnectSeq = ev.seq;
      client(m, ev.client).local = ev.local;
      break;
    case 'client-send':
      client(m, ev.client).sent += ev.bytes;
      break;
    case 'client-recv': {
      const c = client(m, ev.client);
      c.received += ev.bytes;
      if (ev.latencyNs >= 0) {
        c.replies++;
        c.lastLatencyNs = ev.latencyNs;
      }
      break;
    }
    case 'client-verify': {
      const c = client(m, ev.client);
      c.verified += ev.bytes;
      c.mismatches += ev.mismatches;
      if (ev.detail) c.detail = ev.detail;
      break;
    }
    case 'client-close': {
      const c = client(m, ev.client);
      c.closed = true;
      c.error = ev.error;
      break;
    }
    case 'mark':
      m.marks.push({ seq: ev.seq, text: ev.text });
      if (m.marks.length > 40) m.marks.shift();
      break;
    case 'herd-wakeups': // a measurement for the numbers panel (stats), not state of the stage
    case 'other':
      break;
    case 'end':
      m.ended = true;
      break;
    default:
      assertNever(ev, 'event kind');
  }
}
