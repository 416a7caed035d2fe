/**
 * A tiny Redis (evio's redis example): RESP arrays of bulk strings and inline commands, so that
 * `redis-cli` and `redis-benchmark -t ping,set,get` work, pipelining included.
 * Commands: PING [msg], ECHO msg, SET key value, GET key, DEL key..., QUIT.
 * The keyspace lives in the module instance, so it is per loop thread: with more than one loop
 * a GET may land on a loop that never saw the SET (evio's example shares one map under a lock;
 * threads here share no objects). Browser-safe: TextEncoder/TextDecoder only.
 */
import { Action, type Conn, type Events, InputStream } from '../core/api';

/** One parsed command: its arguments, and the offset of the next command. */
export interface RespCommand {
  args: Uint8Array[];
  next: number;
}

export type RespParse = RespCommand | 'incomplete' | { error: string };

const CR = 13;
const LF = 10;
const MAX_BULK = 512 * 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function lineEnd(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) if (buf[i] === CR && buf[i + 1] === LF) return i;
  return -1;
}

function intAt(buf: Uint8Array, from: number, to: number): number {
  const text = decoder.decode(buf.subarray(from, to));
  return /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
}

function parseInline(buf: Uint8Array, at: number): RespParse {
  let end = at;
  while (end < buf.length && buf[end] !== LF) end++;
  if (end === buf.length) return 'incomplete';
  const stop = end > at && buf[end - 1] === CR ? end - 1 : end;
  const words = decoder.decode(buf.subarray(at, stop)).split(/\s+/).filter(Boolean);
  return { args: words.map((w) => encoder.encode(w)), next: end + 1 };
}

/** Parses one command at `at`: a RESP array (`*N\r\n$len\r\n...`) or an inline line. */
export function parseCommand(buf: Uint8Array, at = 0): RespParse {
  if (at >= buf.length) return 'incomplete';
  if (buf[at] !== 0x2a) return parseInline(buf, at);
  let end = lineEnd(buf, at);
  if (end < 0) return 'incomplete';
  const n = intAt(buf, at + 1, end);
  if (!Number.isInteger(n) || n < 0 || n > 1024 * 1024)
    return { error: 'Protocol error: invalid multibulk length' };
  const args: Uint8Array[] = [];
  let o = end + 2;
  for (let i = 0; i < n; i++) {
    if (o >= buf.length) return 'incomplete';
    if (buf[o] !== 0x24) return { error: "Protocol error: expected '$'" };
    end = lineEnd(buf, o);
    if (end < 0) return 'incomplete';
    const len = intAt(buf, o + 1, end);
    if (!Number.isInteger(len) || len < 0 || len > MAX_BULK)
      return { error: 'Protocol error: invalid bulk length' };
    o = end + 2;
    if (o + len + 2 > buf.length) return 'incomplete';
    args.push(buf.slice(o, o + len));
    o += len + 2;
  }
  return { args, next: o };
}

/** RESP replies. */
export const reply = {
  simple: (s: string) => `+${s}\r\n`,
  error: (s: string) => `-${s}\r\n`,
  int: (n: number) => `:${n}\r\n`,
  nil: () => '$-1\r\n',
  bulk: (b: Uint8Array): Uint8Array[] => [encoder.encode(`$${b.length}\r\n`), b, encoder.encode('\r\n')],
};

/** Runs one command against `store`; returns the reply parts and whether to close. */
export function execute(
  store: Map<string, Uint8Array>,
  args: Uint8Array[],
): { out: (string | Uint8Array)[]; quit: boolean } {
  const name = decoder.decode(args[0] ?? new Uint8Array()).toUpperCase();
  const key = args[1] ? decoder.decode(args[1]) : '';
  const arity = (n: number) => args.length === n || (name === 'PING' && args.length <= 2);
  const wrong = {
    out: [reply.error(`ERR wrong number of arguments for '${name.toLowerCase()}' command`)],
    quit: false,
  };
  switch (name) {
    case 'PING':
      if (!arity(1)) return wrong;
      return { out: args[1] ? reply.bulk(args[1]) : [reply.simple('PONG')], quit: false };
    case 'ECHO':
      return arity(2) ? { out: reply.bulk(args[1]!), quit: false } : wrong;
    case 'SET':
      if (!arity(3)) return wrong;
      store.set(key, args[2]!);
      return { out: [reply.simple('OK')], quit: false };
    case 'GET': {
      if (!arity(2)) return wrong;
      const v = store.get(key);
      return { out: v ? reply.bulk(v) : [reply.nil()], quit: false };
    }
    case 'DEL': {
      if (args.length < 2) return wrong;
      let n = 0;
      for (const a of args.slice(1)) if (store.delete(decoder.decode(a))) n++;
      return { out: [reply.int(n)], quit: false };
    }
    case 'QUIT':
      return { out: [reply.simple('OK')], quit: true };
    default:
      return { out: [reply.error(`ERR unknown command '${name.toLowerCase()}'`)], quit: false };
  }
}

function concat(parts: (string | Uint8Array)[]): Uint8Array {
  const bytes = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : p));
  const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of bytes) {
    all.set(b, o);
    o += b.length;
  }
  return all;
}

export default function redis(): Events {
  const store = new Map<string, Uint8Array>();
  const streams = new WeakMap<Conn, InputStream>();
  return {
    data: (c, input) => {
      if (!input) return;
      const is = streams.get(c) ?? new InputStream();
      streams.set(c, is);
      const data = is.begin(input);
      const out: (string | Uint8Array)[] = [];
      let at = 0;
      let action = Action.None;
      while (at < data.length && action === Action.None) {
        const cmd = parseCommand(data, at);
        if (cmd === 'incomplete') break;
        if ('error' in cmd) {
          out.push(reply.error(`ERR ${cmd.error}`));
          action = Action.Close;
          at = data.length;
          break;
        }
        at = cmd.next;
        if (cmd.args.length === 0) continue;
        const r = execute(store, cmd.args);
        out.push(...r.out);
        if (r.quit) action = Action.Close;
      }
      is.end(action === Action.None ? data.subarray(at) : null);
      return { out: out.length > 0 ? concat(out) : null, action };
    },
  };
}
