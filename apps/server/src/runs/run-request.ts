/**
 * Validation of a run request (`POST /api/runs`, the websocket's `start`): every field and every
 * scenario parameter checked against its bounds, with an error that names the parameter.
 */
import { LOAD_BALANCES, type LoadBalance, MODE_NAMES, type ModeName } from '@loopscope/engine';
import { z } from 'zod';
import type { ParamSpec, ParamValues, Scenario } from '../scenarios/scenario';

/** Engine modes and balancers, as the engine names them. */
export const RUN_MODES = MODE_NAMES as readonly [ModeName, ...ModeName[]];
export const RUN_BALANCES = LOAD_BALANCES as readonly [LoadBalance, ...LoadBalance[]];
export const MAX_LOOPS = 8;

const requestSchema = z
  .object({
    scenario: z.string({ error: 'scenario must be a scenario name' }).max(64),
    mode: z.enum(RUN_MODES, { error: `mode must be one of ${RUN_MODES.join(', ')}` }).default('evio'),
    loops: z
      .number({ error: `loops must be an integer from 1 to ${MAX_LOOPS}` })
      .int(`loops must be an integer from 1 to ${MAX_LOOPS}`)
      .min(1, `loops must be an integer from 1 to ${MAX_LOOPS}`)
      .max(MAX_LOOPS, `loops must be an integer from 1 to ${MAX_LOOPS}`)
      .default(4),
    balance: z
      .enum(RUN_BALANCES, { error: `balance must be one of ${RUN_BALANCES.join(', ')}` })
      .default('random'),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    id: z.string().optional(),
    type: z.literal('start').optional(),
  })
  .strict();

/** A validated run request. */
export interface RunRequest {
  scenario: Scenario;
  mode: ModeName;
  loops: number;
  balance: LoadBalance;
  params: ParamValues;
}

/** A request that cannot run: the message names the field or parameter and its bounds. */
export class RunRequestError extends Error {
  override readonly name = 'RunRequestError';
}

/** Validates a raw request against the catalog. @throws RunRequestError */
export function parseRunRequest(raw: unknown, catalog: ReadonlyMap<string, Scenario>): RunRequest {
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'request';
    const msg = issue.message.includes(where.split('.').pop() ?? '')
      ? issue.message
      : `${where}: ${issue.message}`;
    throw new RunRequestError(msg);
  }
  const req = parsed.data;
  const scenario = catalog.get(req.scenario);
  if (!scenario) {
    throw new RunRequestError(
      `unknown scenario "${req.scenario.slice(0, 64)}": expected one of ${[...catalog.keys()].join(', ')}`,
    );
  }
  return {
    scenario,
    mode: req.mode,
    loops: req.loops,
    balance: req.balance,
    params: parseParams(scenario, req.params),
  };
}

/** Checks a scenario's parameters, filling in defaults. @throws RunRequestError */
export function parseParams(scenario: Scenario, raw: ParamValues): ParamValues {
  const specs = new Map(scenario.params.map((p) => [p.name, p]));
  for (const name of Object.keys(raw)) {
    if (!specs.has(name)) {
      const known = [...specs.keys()].join(', ') || 'none';
      throw new RunRequestError(
        `unknown parameter "${name.slice(0, 64)}" for ${scenario.name}: expected ${known}`,
      );
    }
  }
  const out: ParamValues = {};
  for (const spec of scenario.params) out[spec.name] = checkParam(spec, raw[spec.name]);
  return out;
}

function checkParam(spec: ParamSpec, value: ParamValues[string] | undefined): ParamValues[string] {
  if (value === undefined) return spec.default;
  if (spec.values) {
    if (typeof value === 'string' && spec.values.includes(value)) return value;
    throw new RunRequestError(
      `parameter ${spec.name} must be one of ${spec.values.join(', ')} (got ${show(value)})`,
    );
  }
  const ok = typeof value === 'number' && Number.isInteger(value) && value >= spec.min! && value <= spec.max!;
  if (ok) return value;
  const unit = spec.unit ? ` ${spec.unit}` : '';
  throw new RunRequestError(
    `parameter ${spec.name} must be an integer from ${spec.min} to ${spec.max}${unit} (got ${show(value)})`,
  );
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
