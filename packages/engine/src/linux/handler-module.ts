/**
 * Handlers come from a module, because functions cannot cross threads: every loop thread (and
 * the main thread, for `serving`) imports the module and calls its factory.
 *
 * A handler module's default export (or the export named in the spec) is a factory
 * `(params) => Events`; `params` is any structured-clonable value given to `serve`.
 *
 * @example packages/engine/src/handlers/echo.ts
 * ```ts
 * import type { Events } from '../core/api';
 * export default function echo(): Events {
 *   return { data: (_c, input) => ({ out: input }) };
 * }
 * ```
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Events } from '../core/api';

/** Where a server's handlers come from. */
export interface HandlerSpec {
  /** A file URL, or a path (relative paths are resolved against the working directory). */
  module: string;
  /** The export holding the factory; default `default`. */
  export?: string;
  /** Passed to the factory; must survive `structuredClone` (it crosses threads). */
  params?: unknown;
}

/** The example handlers shipped in `src/handlers/` (browser-safe; also used by the simulator). */
export type BuiltinHandler = 'echo' | 'http' | 'redis';
export const BUILTIN_HANDLERS: readonly BuiltinHandler[] = ['echo', 'http', 'redis'];

/** The module URL of a shipped handler, for `serve({ handler: { module } })`. */
export function builtinHandlerUrl(name: BuiltinHandler): string {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`../handlers/${name}.${ext}`, import.meta.url).href;
}

/** The module specifier as a URL `import()` accepts in any thread. */
export function handlerUrl(module: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module;
  return pathToFileURL(isAbsolute(module) ? module : resolve(module)).href;
}

/** Imports the module and builds its Events; throws a clear error if the export is wrong. */
export async function loadEvents(spec: HandlerSpec): Promise<Events> {
  const name = spec.export ?? 'default';
  const mod = (await import(handlerUrl(spec.module))) as Record<string, unknown>;
  const factory = mod[name];
  if (typeof factory !== 'function') {
    throw new Error(`handler module ${spec.module}: export "${name}" is not a function (params) => Events`);
  }
  const events = (factory as (p: unknown) => unknown)(spec.params);
  if (typeof events !== 'object' || events === null) {
    throw new Error(`handler module ${spec.module}: "${name}"(params) did not return an Events object`);
  }
  return events as Events;
}
