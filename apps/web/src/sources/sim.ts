/**
 * Sim: the engine's loop code over the simulated kernel, run in the page. Events are produced a
 * slice at a time between frames so the page stays responsive.
 */
import type { TraceEvent } from '@loopscope/trace';
import { loadSimEngine, type SimEngine, type SimRunOptions } from './sim-engine';
import type { RunParams, SourceSink, TraceSource } from './types';

/** Events produced per slice. */
const SLICE = 4000;
/** A simulated run stops here even if its scenario has not finished. */
export const SIM_MAX_EVENTS = 2_000_000;

export class SimSource implements TraceSource {
  readonly kind = 'sim' as const;
  private sink: SourceSink | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private produced = 0;

  constructor(private readonly initial: RunParams | null) {}

  attach(sink: SourceSink): void {
    this.sink = sink;
    sink.reset(null, 'sim');
    if (this.initial) this.startRun(this.initial);
    else sink.status({ state: 'idle', message: 'Simulator ready: pick a scenario and press Start.' });
  }

  detach(): void {
    this.stopRun();
    this.sink = null;
  }

  startRun(p: RunParams): void {
    this.stopRun();
    const sink = this.sink;
    if (!sink) return;
    sink.status({ state: 'running', message: 'Loading the simulator…' });
    loadSimEngine().then(
      (engine) => this.run(engine, p),
      (err: unknown) =>
        sink.status({
          state: 'error',
          message: `Simulator unavailable: ${err instanceof Error ? err.message : err}`,
        }),
    );
  }

  private run(engine: SimEngine, p: RunParams): void {
    const sink = this.sink;
    if (!sink) return;
    let run: ReturnType<SimEngine['createSimRun']>;
    try {
      run = engine.createSimRun({
        scenario: p.scenario,
        mode: p.mode as SimRunOptions['mode'],
        loops: p.loops,
        balance: p.balance as SimRunOptions['balance'],
        seed: p.seed,
        params: p.params,
      });
    } catch (err) {
      sink.status({
        state: 'error',
        message: `Cannot simulate: ${err instanceof Error ? err.message : err}`,
      });
      return;
    }
    sink.reset(run.header, `sim · ${p.scenario}`);
    this.produced = 0;
    sink.status({ state: 'running', message: null });
    const step = () => {
      this.timer = null;
      if (this.sink !== sink) return;
      let batch: TraceEvent[];
      try {
        batch = run.advance(SLICE);
      } catch (err) {
        sink.status({
          state: 'error',
          message: `Simulator stopped: ${err instanceof Error ? err.message : err}`,
        });
        return;
      }
      this.produced += batch.length;
      if (batch.length > 0) sink.events(batch);
      if (run.done || this.produced >= SIM_MAX_EVENTS) {
        const capped = !run.done ? ` (stopped at ${SIM_MAX_EVENTS.toLocaleString()} events)` : '';
        sink.status({
          state: 'done',
          message: `Simulation finished: ${this.produced.toLocaleString()} events${capped}`,
        });
        return;
      }
      this.timer = setTimeout(step, 0);
    };
    step();
  }

  stopRun(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
