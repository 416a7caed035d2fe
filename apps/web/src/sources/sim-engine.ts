/**
 * The simulator ('@loopscope/engine', browser-safe: loop core + simulated kernel), loaded on
 * demand so its code is only fetched when a simulation is run.
 */
import type { ModeInfo, ParamSpec, SimRun, SimRunOptions } from '@loopscope/engine';

export type { SimRun, SimRunOptions };
export type ModeDescription = ModeInfo;

/** What this app uses of the engine. */
export interface SimEngine {
  createSimRun(opts: SimRunOptions): SimRun;
  MODES: Readonly<Record<string, ModeInfo>>;
  SIM_SCENARIOS: Readonly<Record<string, { name: string; summary: string; params: ParamSpec[] }>>;
  COMMON_PARAMS: ParamSpec[];
}

let loading: Promise<SimEngine> | null = null;

export function loadSimEngine(): Promise<SimEngine> {
  loading ??= import('@loopscope/engine').then((m) => m as SimEngine);
  return loading;
}
