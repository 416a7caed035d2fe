/** The simulator's scenarios, by name. */
import { echo } from './echo';
import { headOfLine, load } from './head-of-line';
import { herd, openWake } from './herd';
import { slowReader } from './slow-reader';
import type { ScenarioDef } from './types';
import { wakeOverwrite, writeLossClaim } from './write-loss';

export const SIM_SCENARIOS: Readonly<Record<string, ScenarioDef>> = {
  echo,
  herd,
  'open-wake': openWake,
  'slow-reader': slowReader,
  'write-loss-claim': writeLossClaim,
  'wake-overwrite': wakeOverwrite,
  'head-of-line': headOfLine,
  load,
};

/** Scenario names, in menu order. */
export const SIM_SCENARIO_NAMES: readonly string[] = Object.keys(SIM_SCENARIOS);

export { COMMON_PARAMS, type ParamSpec, type ParamValues, type ScenarioDef, validateParams } from './types';
