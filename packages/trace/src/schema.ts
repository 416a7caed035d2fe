import {
  ACCEPT_OUTCOMES,
  ACTION_NAMES,
  CLOSE_REASONS,
  CTL_OPS,
  EVENTFD_OPS,
  type EventBase,
  type EventOfKind,
  HANDLER_NAMES,
  OUT_CAUSES,
  OVERWRITE_PATHS,
  READ_RESULTS,
  STOP_REASONS,
  type TraceEventKind,
  WRITE_RESULTS,
} from './events';

/**
 * The runtime shape of every event kind, used by the validator and the binary codec.
 * `int`: a safe integer; `uint`: a non-negative safe integer; `str`: a string; `bool`;
 * `ints`: an array of safe integers; `enum`: one of `values`; `?` suffix: or null.
 */
export type FieldSpec =
  | 'int'
  | 'uint'
  | 'str'
  | 'bool'
  | 'ints'
  | 'int?'
  | 'uint?'
  | 'str?'
  | { enum: readonly string[] };

type SpecOf<K extends TraceEventKind> = {
  readonly [F in Exclude<keyof EventOfKind<K>, keyof EventBase | 'kind'>]-?: FieldSpec;
};

/** Field specs of every kind; the compiler checks that each lists exactly the type's fields. */
export type EventSchema = { readonly [K in TraceEventKind]: SpecOf<K> };

const conn = { fd: 'int', gen: 'uint' } as const;
const connMaybe = { fd: 'int', gen: 'uint?' } as const;

export const SCHEMA: EventSchema = {
  'loop-start': { epfd: 'int', wakeFd: 'int', thread: 'int' },
  'loop-stop': { reason: { enum: STOP_REASONS }, error: 'str?' },
  'wait-enter': { epfd: 'int', max: 'uint', timeoutMs: 'int' },
  'wait-return': { n: 'int', ready: 'ints', errno: 'str?', blockedNs: 'int' },
  notes: { tick: 'uint', wake: 'uint', shutdown: 'uint' },
  eventfd: { op: { enum: EVENTFD_OPS }, fd: 'int', target: 'int' },
  listener: { fd: 'int', index: 'uint', addr: 'str', network: 'str', reuseport: 'bool' },
  accept: {
    listenerFd: 'int',
    outcome: { enum: ACCEPT_OUTCOMES },
    fd: 'int?',
    gen: 'uint?',
    remote: 'str?',
    reason: 'str?',
    errno: 'str?',
  },
  opened: { ...conn, remote: 'str', local: 'str', addrIndex: 'uint' },
  ctl: { epfd: 'int', op: { enum: CTL_OPS }, ...connMaybe, old: 'uint', new: 'uint', errno: 'str?' },
  read: {
    ...connMaybe,
    sys: 'str',
    max: 'uint',
    bytes: 'uint',
    result: { enum: READ_RESULTS },
    errno: 'str?',
  },
  handler: {
    handler: { enum: HANDLER_NAMES },
    fd: 'int?',
    gen: 'uint?',
    durNs: 'uint',
    inBytes: 'uint',
    outBytes: 'uint',
    action: { enum: ACTION_NAMES },
  },
  write: {
    ...connMaybe,
    sys: 'str',
    asked: 'uint',
    written: 'uint',
    result: { enum: WRITE_RESULTS },
    errno: 'str?',
  },
  out: { ...conn, pending: 'uint', cause: { enum: OUT_CAUSES } },
  overwrite: { ...conn, lost: 'uint', path: { enum: OVERWRITE_PATHS } },
  wake: { ...conn },
  action: { ...conn, action: { enum: ACTION_NAMES } },
  close: { ...conn, reason: { enum: CLOSE_REASONS }, errno: 'str?', discarded: 'uint' },
  sys: { name: 'str', fd: 'int?', gen: 'uint?', ret: 'int', errno: 'str?' },
  fault: { op: 'str', fd: 'int?', errno: 'str?', evio: 'str' },
  'client-connect': { client: 'uint', local: 'str' },
  'client-send': { client: 'uint', bytes: 'uint' },
  'client-recv': { client: 'uint', bytes: 'uint', latencyNs: 'int' },
  'client-verify': { client: 'uint', bytes: 'uint', mismatches: 'uint', detail: 'str?' },
  'client-close': { client: 'uint', error: 'str?' },
  'herd-wakeups': { accepts: 'uint', woken: 'uint', visible: 'uint' },
  mark: { text: 'str' },
  other: { name: 'str', detail: 'str' },
  end: { events: 'uint' },
};

/** A field's type as a small integer, for the compiled readers (`validate.ts`, `canonical-event.ts`). */
export const FIELD_TYPE = { INT: 0, UINT: 1, STR: 2, BOOL: 3, INTS: 4, ENUM: 5 } as const;

/** The type of a field spec and whether it may be null. */
export function fieldTypeOf(spec: FieldSpec): { type: number; nullable: boolean } {
  if (typeof spec === 'object') return { type: FIELD_TYPE.ENUM, nullable: false };
  const nullable = spec.endsWith('?');
  return {
    type: ['int', 'uint', 'str', 'bool', 'ints'].indexOf(nullable ? spec.slice(0, -1) : spec),
    nullable,
  };
}

/** Every event kind, in schema order. */
export const EVENT_KINDS = Object.keys(SCHEMA) as TraceEventKind[];
