/**
 * An evio server inside the simulator: N `Loop`s (the same core as on Linux) over one
 * `SimWorld`, with an `Events` object (plain functions here), a mode, a balancer and listeners.
 * Its trace goes to a `TraceSink`; `header` describes the run.
 */
import { makeHeader, type TraceEventDraft, type TraceHeader } from '@loopscope/trace';
import { Action, type Events, type LoadBalance } from '../core/api';
import { errnoName } from '../core/kernel';
import { Loop } from '../core/loop';
import { type ListenerSpec, sharedStateSize } from '../core/loop-types';
import { MODES, type ModeName } from '../core/modes';
import { LoopActor, SimLoopTracer } from './loop-actor';
import type { Scheduler } from './scheduler';
import { SimKernel } from './sim-kernel';
import type { TraceSink } from './trace-sink';
import type { SimWorld } from './world';

/** A listen address of the server. */
export interface SimListenSpec {
  /** `127.0.0.1:5000`. */
  addr: string;
  network?: 'tcp' | 'udp';
  backlog?: number;
}

export interface SimServerOptions {
  world: SimWorld;
  scheduler: Scheduler;
  sink: TraceSink;
  events: Events;
  mode: ModeName;
  loops: number;
  balance: LoadBalance;
  listeners: SimListenSpec[];
}

export class SimServer {
  readonly loops: Loop[] = [];
  readonly actors: LoopActor[] = [];
  readonly listeners: ListenerSpec[] = [];
  /** The server's own thread (listen, shutdown signals): loop -1 in the trace. */
  readonly host: SimKernel;
  private shuttingDown = false;
  private finished = false;

  constructor(private readonly opts: SimServerOptions) {
    this.host = new SimKernel(opts.world, -1);
  }

  /** Binds the listeners, calls `serving`, creates and starts the loops. False if `serving` said Shutdown. */
  start(): boolean {
    const { world, events, mode, loops } = this.opts;
    const flags = MODES[mode].flags;
    this.opts.listeners.forEach((spec, index) => {
      const copies = flags.reuseport ? loops : 1;
      for (let i = 0; i < copies; i++) this.bind(spec, index, flags.reuseport ? i : null);
    });
    const res = events.serving?.({ addrs: this.opts.listeners.map((l) => l.addr), numLoops: loops });
    if (res === Action.Shutdown) {
      this.mark('serving returned Shutdown: the server stops before any loop runs');
      return false;
    }
    const shared = new Int32Array(sharedStateSize(loops));
    for (let i = 0; i < loops; i++) {
      const tracer = new SimLoopTracer((ev) => this.opts.sink.emit(ev));
      const loop = new Loop({
        index: i,
        loops,
        kernel: new SimKernel(world, i),
        events,
        mode: flags,
        balance: this.opts.balance,
        listeners: this.listeners,
        shared,
        tracer,
        random: () => world.prng.next(),
        onStop: () => this.shutdown(),
      });
      const actor = new LoopActor(loop, world, tracer);
      this.loops.push(loop);
      this.actors.push(actor);
      this.opts.scheduler.add(actor);
    }
    for (const a of this.actors) a.start();
    return true;
  }

  /** Signals every running loop to stop (evio's Trigger(errClosing)): a note and an eventfd write each. */
  shutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const loop of this.loops) {
      if (loop.stopped || loop.wakeFd < 0) continue;
      loop.queueNote({ type: 'shutdown' });
      this.host.eventfdWrite(loop.wakeFd);
      this.emit({
        kind: 'eventfd',
        t: this.host.now(),
        loop: -1,
        op: 'write',
        fd: loop.wakeFd,
        target: loop.index,
      });
    }
  }

  /** Every loop has stopped. */
  get stopped(): boolean {
    return this.loops.every((l) => l.stopped);
  }

  /** After every loop stopped: close every conn (Closed fires), the loops' fds, then the listeners. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const loop of this.loops) loop.closeAll();
    for (const ln of this.listeners) {
      const r = this.host.close(ln.fd);
      this.sys('close', ln.fd, r);
    }
  }

  private bind(spec: SimListenSpec, index: number, ownerLoop: number | null): void {
    const { world } = this.opts;
    const network = spec.network ?? 'tcp';
    const reuseport = ownerLoop !== null;
    const fd =
      network === 'udp'
        ? world.bindUdp(spec.addr, { reuseport })
        : world.listen(spec.addr, { reuseport, ...(spec.backlog ? { backlog: spec.backlog } : {}) });
    world.charge();
    this.sys(network === 'udp' ? 'socket+bind' : 'socket+bind+listen', fd, fd);
    this.listeners.push({ fd, index, addr: spec.addr, network, reuseport, ownerLoop });
  }

  private sys(name: string, fd: number, ret: number): void {
    this.emit({
      kind: 'sys',
      t: this.host.now(),
      loop: -1,
      name,
      fd,
      gen: null,
      ret,
      errno: ret < 0 ? errnoName(ret) : null,
    });
  }

  private mark(text: string): void {
    this.emit({ kind: 'mark', t: this.host.now(), loop: -1, text });
  }

  private emit(ev: TraceEventDraft): void {
    this.opts.sink.emit(ev);
  }
}

/** The header of a simulated run. */
export function simHeader(o: {
  mode: ModeName;
  loops: number;
  balance: LoadBalance;
  seed: number;
  scenario: string;
  params: Record<string, string | number | boolean>;
  created?: string;
}): TraceHeader {
  return makeHeader({
    mode: o.mode,
    loops: o.loops,
    balance: o.loops > 1 ? o.balance : null,
    scenario: { name: o.scenario, params: o.params },
    host: { platform: 'sim', arch: 'sim', kernel: 'loopscope-sim', cpus: 1, runtime: 'loopscope' },
    source: { type: 'sim', program: null, pids: [], seed: o.seed },
    ...(o.created ? { created: o.created } : {}),
  });
}
