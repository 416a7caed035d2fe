/**
 * What a simulator scenario is: bounded parameters (validated with clear errors), the server's
 * `Events`, and scripts for the clients (and for the server's own goroutines, such as one that
 * calls `Conn.wake()`).
 */
import type { Events } from '../../core/api';
import type { Client, Script } from '../client';
import type { SimWorld } from '../world';

/** A parameter: an integer in [min, max] or a boolean. */
export type ParamSpec =
  | { name: string; type: 'int'; default: number; min: number; max: number; doc: string }
  | { name: string; type: 'bool'; default: boolean; doc: string };

/** Parameter values after validation: every declared parameter, defaults filled in. */
export type ParamValues = Record<string, number | boolean>;

/** What a scenario can use while it is built and run. */
export interface ScenarioContext {
  readonly world: SimWorld;
  /** The server's listen address. */
  readonly addr: string;
  /** Client `id`'s I/O helper (traces `client-*` events). */
  client(id: number): Client;
  /** Runs a script as an actor, from `startAt` (virtual ns, default now). */
  spawn(name: string, script: Script, startAt?: number): void;
  /** A note in the timeline. */
  mark(text: string): void;
}

/** A scenario, ready to run. */
export interface ScenarioSetup {
  events: Events;
  /** Spawns the scripts (called once the loops have started). */
  start(ctx: ScenarioContext): void;
}

export interface ScenarioDef {
  name: string;
  /** One sentence: what it shows. */
  summary: string;
  params: ParamSpec[];
  build(p: ParamValues, ctx: ScenarioContext): ScenarioSetup;
}

/** Parameters every scenario accepts: the kernel model's knobs and the run's limits. */
export const COMMON_PARAMS: ParamSpec[] = [
  {
    name: 'sndbuf',
    type: 'int',
    default: 16384,
    min: 1024,
    max: 4194304,
    doc: 'send buffer of accepted sockets, bytes',
  },
  {
    name: 'rcvbuf',
    type: 'int',
    default: 65536,
    min: 1024,
    max: 4194304,
    doc: 'receive buffer of accepted sockets, bytes',
  },
  { name: 'backlog', type: 'int', default: 128, min: 1, max: 65535, doc: 'listen backlog' },
  {
    name: 'syscallNs',
    type: 'int',
    default: 1000,
    min: 1,
    max: 1000000,
    doc: 'virtual cost of one syscall, ns',
  },
  {
    name: 'maxMs',
    type: 'int',
    default: 5000,
    min: 1,
    max: 600000,
    doc: 'stop after this much virtual time, ms',
  },
  {
    name: 'maxSteps',
    type: 'int',
    default: 1000000,
    min: 100,
    max: 20000000,
    doc: 'stop after this many scheduler steps',
  },
];

/** Checks `params` against `specs`; returns every parameter with defaults filled in, or throws a clear error. */
export function validateParams(
  scenario: string,
  specs: ParamSpec[],
  params: Record<string, number | string | boolean>,
): ParamValues {
  const known = new Map(specs.map((s) => [s.name, s]));
  for (const key of Object.keys(params)) {
    if (!known.has(key)) {
      throw new Error(
        `scenario ${scenario}: unknown parameter "${key}" (known: ${[...known.keys()].join(', ')})`,
      );
    }
  }
  const out: ParamValues = {};
  for (const s of specs) {
    const raw = params[s.name];
    if (raw === undefined) {
      out[s.name] = s.default;
      continue;
    }
    if (s.type === 'bool') {
      if (typeof raw === 'boolean') out[s.name] = raw;
      else if (raw === 'true' || raw === 'false') out[s.name] = raw === 'true';
      else
        throw new Error(`scenario ${scenario}: ${s.name} must be true or false, got ${JSON.stringify(raw)}`);
      continue;
    }
    const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      throw new Error(`scenario ${scenario}: ${s.name} must be an integer, got ${JSON.stringify(raw)}`);
    }
    if (n < s.min || n > s.max) {
      throw new Error(`scenario ${scenario}: ${s.name} must be between ${s.min} and ${s.max}, got ${n}`);
    }
    out[s.name] = n;
  }
  return out;
}

/** An integer parameter (validated before). */
export function int(p: ParamValues, name: string): number {
  const v = p[name];
  if (typeof v !== 'number') throw new Error(`parameter ${name} is not declared by this scenario`);
  return v;
}

export { join, pattern, text } from '../../handlers/scenarios/pattern';

export const US = 1000;
