/**
 * A whole simulated run: a scenario, an evio server of N loops over one `SimWorld`, the seeded
 * scheduler, and the trace. The web app creates one with `createSimRun` and pulls events with
 * `advance` (many at a time) or `step` (one scheduler step).
 */
import type { TraceEvent, TraceEventDraft, TraceHeader } from '@loopscope/trace';
import { LOAD_BALANCES, type LoadBalance } from '../core/api';
import { MODE_NAMES, type ModeName } from '../core/modes';
import { Client, ScriptActor } from './client';
import { COMMON_PARAMS, SIM_SCENARIOS, validateParams } from './scenarios/index';
import type { ScenarioContext } from './scenarios/types';
import { Scheduler } from './scheduler';
import { SimServer, simHeader } from './sim-server';
import { TraceSink } from './trace-sink';
import { SimWorld } from './world';

export interface SimRunOptions {
  scenario: string;
  mode: ModeName;
  loops: number;
  balance: LoadBalance;
  seed: number;
  params: Record<string, number | string | boolean>;
  /** Header creation time (default: now); fix it to make the header reproducible too. */
  created?: string;
}

export interface SimRun {
  readonly header: TraceHeader;
  /** Runs until at least `maxEvents` new events were produced or the run finished; returns them. */
  advance(maxEvents: number): TraceEvent[];
  /**
   * Runs one scheduler step (one wait, one dispatch or one client action) and returns its
   * events: possibly none (a client that polled and found nothing). `advance(1)` runs to the next event.
   */
  step(): TraceEvent[];
  /** The run is over: the last event (`end`) has been returned. */
  readonly done: boolean;
  /** Virtual nanoseconds since the run started. */
  readonly now: number;
  readonly world: SimWorld;
  readonly server: SimServer;
}

/** The address the simulated server listens on. */
export const SIM_ADDR = '127.0.0.1:5000';

/** Builds a run; throws a clear error for a bad scenario, mode, loop count, balancer, seed or parameter. */
export function createSimRun(opts: SimRunOptions): SimRun {
  const def = SIM_SCENARIOS[opts.scenario];
  if (!def)
    throw new Error(`unknown scenario "${opts.scenario}" (known: ${Object.keys(SIM_SCENARIOS).join(', ')})`);
  if (!MODE_NAMES.includes(opts.mode))
    throw new Error(`unknown mode "${opts.mode}" (known: ${MODE_NAMES.join(', ')})`);
  if (!LOAD_BALANCES.includes(opts.balance)) {
    throw new Error(`unknown balance "${opts.balance}" (known: ${LOAD_BALANCES.join(', ')})`);
  }
  if (!Number.isInteger(opts.loops) || opts.loops < 1 || opts.loops > 16) {
    throw new Error(`loops must be an integer between 1 and 16, got ${opts.loops}`);
  }
  if (!Number.isSafeInteger(opts.seed)) throw new Error(`seed must be an integer, got ${opts.seed}`);
  const p = validateParams(opts.scenario, [...def.params, ...COMMON_PARAMS], opts.params ?? {});
  return new Run(opts, p, def);
}

type Phase = 'running' | 'settling' | 'stopping' | 'done';

/** After the scripts finish, the loops get this long to handle what is left (EOFs) before shutdown. */
const SETTLE_NS = 1_000_000;

class Run implements SimRun {
  readonly header: TraceHeader;
  readonly world: SimWorld;
  readonly server: SimServer;
  private readonly sink = new TraceSink();
  private readonly scheduler: Scheduler;
  private readonly scripts: ScriptActor[] = [];
  private readonly clients = new Map<number, Client>();
  private phase: Phase = 'running';
  private settleUntil = 0;
  private readonly maxNs: number;
  private readonly maxSteps: number;

  constructor(opts: SimRunOptions, p: Record<string, number | boolean>, def: (typeof SIM_SCENARIOS)[string]) {
    this.header = simHeader({ ...opts, params: p });
    this.world = new SimWorld({
      seed: opts.seed,
      syscallNs: p.syscallNs as number,
      sndBuf: p.sndbuf as number,
      rcvBuf: p.rcvbuf as number,
      backlog: p.backlog as number,
    });
    this.maxNs = (p.maxMs as number) * 1e6;
    this.maxSteps = p.maxSteps as number;
    this.scheduler = new Scheduler(this.world);
    const ctx = this.context();
    const setup = def.build(p, ctx);
    this.server = new SimServer({
      world: this.world,
      scheduler: this.scheduler,
      sink: this.sink,
      events: setup.events,
      mode: opts.mode,
      loops: opts.loops,
      balance: opts.balance,
      listeners: [{ addr: SIM_ADDR }],
    });
    this.mark(`scenario ${def.name}: ${def.summary}`);
    if (this.server.start()) setup.start(ctx);
    else this.phase = 'stopping';
  }

  get done(): boolean {
    return this.phase === 'done' && this.sink.pending === 0;
  }

  get now(): number {
    return this.world.now;
  }

  advance(maxEvents: number): TraceEvent[] {
    const want = Math.max(1, Math.floor(maxEvents));
    while (this.sink.pending < want && this.phase !== 'done') this.tick();
    return this.sink.drain();
  }

  step(): TraceEvent[] {
    if (this.phase !== 'done') this.tick();
    return this.sink.drain();
  }

  /** One scheduler step, plus the run's own bookkeeping: shutdown when the scripts are done, limits, the end. */
  private tick(): void {
    if (this.phase === 'running') {
      if (this.scripts.every((s) => s.finished)) {
        this.phase = 'settling';
        this.settleUntil = this.world.now + SETTLE_NS;
      } else if (this.server.stopped) this.stop('the server stopped');
      else if (this.world.now > this.maxNs) this.stop(`virtual time limit (${this.maxNs / 1e6} ms) reached`);
      else if (this.scheduler.steps >= this.maxSteps) this.stop(`step limit (${this.maxSteps}) reached`);
    }
    if (this.phase === 'settling') {
      const next = this.scheduler.nextAt();
      if (next === null || next > this.settleUntil || this.server.stopped) {
        this.stop('scenario finished: shutting the server down');
      }
    }
    if (this.phase === 'stopping' && this.server.stopped) {
      this.server.finish();
      this.phase = 'done';
      this.emit({ kind: 'end', t: this.world.now, loop: -1, events: this.sink.count });
      return;
    }
    if (this.scheduler.step()) return;
    if (this.phase === 'running' || this.phase === 'settling') this.stop('nothing can run any more');
    else {
      this.mark('no loop can run any more');
      this.phase = 'done';
      this.emit({ kind: 'end', t: this.world.now, loop: -1, events: this.sink.count });
    }
  }

  private stop(why: string): void {
    this.phase = 'stopping';
    for (const s of this.scripts) s.abort();
    this.mark(why);
    this.server.shutdown();
  }

  private context(): ScenarioContext {
    return {
      world: this.world,
      addr: SIM_ADDR,
      client: (id) => {
        let c = this.clients.get(id);
        if (!c) {
          c = new Client(id, this.world, (ev) => this.emit(ev));
          this.clients.set(id, c);
        }
        return c;
      },
      spawn: (name, script, startAt) => {
        const actor = new ScriptActor(name, script, this.world, startAt ?? this.world.now);
        this.scripts.push(actor);
        this.scheduler.add(actor);
      },
      mark: (text) => this.mark(text),
    };
  }

  private mark(text: string): void {
    this.emit({ kind: 'mark', t: this.world.now, loop: -1, text });
  }

  private emit(ev: TraceEventDraft): void {
    this.sink.emit(ev);
  }
}
