/**
 * Validation of the recording header (line 1). Unknown header fields are ignored (metadata may
 * grow); a wrong format or version is named as such so a user knows which tool to update.
 */

import { describeValue, failField as fail, TraceDecodeError } from './errors';
import { TRACE_FORMAT, TRACE_VERSION } from './events';
import type { HostInfo, ScenarioInfo, TraceHeader, TraceSourceInfo } from './header';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads one header field, checking its type with a predicate. */
function want<T>(
  o: Record<string, unknown>,
  key: string,
  path: string,
  line: number,
  expected: string,
  ok: (v: unknown) => v is T,
  jsType: 'string' | 'number' | 'object',
): T {
  const v = o[key];
  if (ok(v)) return v;
  // Right JSON type but a value outside the domain (e.g. loops: -1) is a bad value, not a bad type.
  const code =
    v === undefined ? 'missing-field' : typeof v === jsType && v !== null ? 'bad-value' : 'wrong-type';
  fail(code, line, path + key, expected, v);
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isUint = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isIntOrNull = (v: unknown): v is number | null => v === null || Number.isSafeInteger(v);
const isUints = (v: unknown): v is number[] => Array.isArray(v) && v.every(isUint);
const isObjOrNull = (v: unknown): v is Record<string, unknown> | null => v === null || isRecord(v);
const isObj = (v: unknown): v is Record<string, unknown> => isRecord(v);
const isParam = (v: unknown) => typeof v === 'string' || typeof v === 'boolean' || Number.isFinite(v);
const isParams = (v: unknown): v is Record<string, string | number | boolean> =>
  isRecord(v) && Object.values(v).every(isParam);
const SOURCE_TYPES: readonly string[] = ['engine', 'sim', 'strace', 'hand'];
const isSourceType = (v: unknown): v is TraceSourceInfo['type'] => SOURCE_TYPES.includes(v as string);

/**
 * Checks that `value` is a recording header of this format and version and returns a fresh
 * copy holding only the known fields (unknown header fields are ignored, for forward
 * compatibility of metadata).
 * @throws TraceDecodeError
 */
export function validateHeader(value: unknown, line = 1): TraceHeader {
  if (!isRecord(value) || value.format === undefined) {
    const what = isRecord(value) && 'kind' in value ? 'an event' : describeValue(value);
    throw new TraceDecodeError(
      'bad-header',
      line,
      null,
      `expected a recording header ({"format":"${TRACE_FORMAT}",...}), got ${what}`,
    );
  }
  if (value.format !== TRACE_FORMAT) {
    throw new TraceDecodeError(
      'unknown-format',
      line,
      'format',
      `expected "${TRACE_FORMAT}", got ${describeValue(value.format)}`,
    );
  }
  if (value.version !== TRACE_VERSION) {
    const code =
      typeof value.version === 'number'
        ? 'unknown-version'
        : value.version === undefined
          ? 'missing-field'
          : 'wrong-type';
    throw new TraceDecodeError(
      code,
      line,
      'version',
      `expected ${TRACE_VERSION}, got ${describeValue(value.version)}`,
    );
  }
  const scenarioIn = want(value, 'scenario', '', line, 'an object or null', isObjOrNull, 'object');
  const hostIn = want(value, 'host', '', line, 'an object or null', isObjOrNull, 'object');
  const sourceIn = want(value, 'source', '', line, 'an object', isObj, 'object');
  let scenario: ScenarioInfo | null = null;
  if (scenarioIn !== null) {
    scenario = {
      name: want(scenarioIn, 'name', 'scenario.', line, 'a string', isStr, 'string'),
      params: {
        ...want(
          scenarioIn,
          'params',
          'scenario.',
          line,
          'an object of strings, numbers and booleans',
          isParams,
          'object',
        ),
      },
    };
  }
  let host: HostInfo | null = null;
  if (hostIn !== null) {
    host = {
      platform: want(hostIn, 'platform', 'host.', line, 'a string', isStr, 'string'),
      arch: want(hostIn, 'arch', 'host.', line, 'a string', isStr, 'string'),
      kernel: want(hostIn, 'kernel', 'host.', line, 'a string', isStr, 'string'),
      cpus: want(hostIn, 'cpus', 'host.', line, 'a non-negative integer', isUint, 'number'),
      runtime: want(hostIn, 'runtime', 'host.', line, 'a string', isStr, 'string'),
    };
  }
  const source: TraceSourceInfo = {
    type: want(
      sourceIn,
      'type',
      'source.',
      line,
      `one of ${SOURCE_TYPES.join(', ')}`,
      isSourceType,
      'string',
    ),
    program: want(sourceIn, 'program', 'source.', line, 'a string or null', isStrOrNull, 'string'),
    pids: [
      ...want(sourceIn, 'pids', 'source.', line, 'an array of non-negative integers', isUints, 'object'),
    ],
    seed: want(sourceIn, 'seed', 'source.', line, 'an integer or null', isIntOrNull, 'number'),
  };
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    created: want(value, 'created', '', line, 'a string', isStr, 'string'),
    mode: want(value, 'mode', '', line, 'a string', isStr, 'string'),
    loops: want(value, 'loops', '', line, 'a non-negative integer', isUint, 'number'),
    balance: want(value, 'balance', '', line, 'a string or null', isStrOrNull, 'string'),
    scenario,
    host,
    source,
  };
}
