/** The scenarios the server can run, by name, and their public description. */
import { echo } from './echo';
import { headOfLine } from './head-of-line';
import { herd } from './herd';
import { load } from './load';
import { openWake } from './open-wake';
import { playground } from './playground';
import type { ParamSpec, Scenario } from './scenario';
import { slowReader } from './slow-reader';
import { wakeOverwrite } from './wake-overwrite';
import { writeLossClaim } from './write-loss-claim';

/** Every scenario, in the order the page lists them. */
export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map(
  [playground, echo, herd, openWake, slowReader, writeLossClaim, wakeOverwrite, headOfLine, load].map((s) => [
    s.name,
    s,
  ]),
);

/** What `GET /api/scenarios` returns for one scenario. */
export interface ScenarioDescription {
  name: string;
  title: string;
  description: string;
  params: readonly ParamSpec[];
}

/** The catalog as JSON for the page. */
export function describeCatalog(catalog: ReadonlyMap<string, Scenario>): ScenarioDescription[] {
  return [...catalog.values()].map((s) => ({
    name: s.name,
    title: s.title,
    description: s.description,
    params: s.params,
  }));
}
