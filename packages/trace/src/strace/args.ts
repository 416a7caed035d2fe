/**
 * Reading strace's argument text: top-level splitting that respects quoted strings, brackets
 * and braces, integers (decimal, hex, `-y` fd decorations), epoll masks, ready lists, iovec
 * sums and socket addresses. Every function returns null (or a safe default) on text it does
 * not understand; none throws.
 */
import { EV } from '../events';

/**
 * Index of the `)` that closes an argument list whose `(` is just before `from`, or -1 if the
 * text ends first (a line cut in the middle). Quoted strings may hold any character.
 */
export function findClose(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 /* " */) {
      i = skipString(s, i);
      if (i < 0) return -1;
    } else if (c === 40 /* ( */ || c === 91 /* [ */ || c === 123 /* { */) depth++;
    else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
    else if (c === 41 /* ) */) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** Index of the closing quote of the string opening at `i`, or -1 if it never closes. */
function skipString(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92 /* \ */) j++;
    else if (c === 34) return j;
  }
  return -1;
}

/** Splits `a, {b, c}, "d,e"` at its top-level commas; parts are trimmed. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      const end = skipString(s, i);
      if (end < 0) break;
      i = end;
    } else if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (c === 44 /* , */ && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last !== '' || out.length > 0) out.push(last);
  return out;
}

const INT_RE = /^(-?)(0x[0-9a-fA-F]+|\d+)/;

/** The integer at the start of `s` (`17`, `-1`, `0x802`, `17<TCP:[...]>`), or null. */
export function parseIntArg(s: string | undefined): number | null {
  if (s === undefined) return null;
  const m = INT_RE.exec(s);
  if (m === null) return null;
  const v = Number(m[2]);
  if (!Number.isSafeInteger(v)) return null;
  return m[1] === '-' ? -v : v;
}

const EPOLL_BITS: Record<string, number> = {
  EPOLLIN: EV.IN,
  EPOLLPRI: EV.PRI,
  EPOLLOUT: EV.OUT,
  EPOLLERR: EV.ERR,
  EPOLLHUP: EV.HUP,
  EPOLLRDHUP: EV.RDHUP,
  EPOLLEXCLUSIVE: EV.EXCLUSIVE,
  EPOLLET: EV.ET,
  EPOLLRDNORM: 0x40,
  EPOLLRDBAND: 0x80,
  EPOLLWRNORM: 0x100,
  EPOLLWRBAND: 0x200,
  EPOLLMSG: 0x400,
  EPOLLWAKEUP: 0x20000000,
  EPOLLONESHOT: 0x40000000,
};

/** `EPOLLIN|EPOLLOUT|0x8` as epoll's bit values (unsigned); unknown names count as 0. */
export function parseMask(s: string): number {
  let mask = 0;
  for (const part of s.split('|')) {
    const name = part.trim();
    const bit = EPOLL_BITS[name];
    if (bit !== undefined) mask |= bit;
    else {
      const v = parseIntArg(name);
      if (v !== null) mask |= v;
    }
  }
  return mask >>> 0;
}

/** The value of `key=` among the top-level fields of a `{...}` struct, or null. */
export function structField(struct: string, key: string): string | null {
  const inner = struct.startsWith('{') && struct.endsWith('}') ? struct.slice(1, -1) : struct;
  for (const f of splitArgs(inner)) {
    if (f.startsWith(key) && f.charCodeAt(key.length) === 61 /* = */) return f.slice(key.length + 1);
  }
  return null;
}

const EPOLL_EVENT_RE = /^\{(?:events=)?([A-Z|]+), (?:data=)?\{u32=(\d{1,10}), u64=(\d{1,20})\}\}$/;

/** One `struct epoll_event` as printed: its mask and its data (u64 as text, u32 as a number). */
export interface EpollEventArg {
  mask: number;
  u32: number | null;
  u64: string | null;
}

/**
 * Reads `{EPOLLIN, {u32=7, u64=7}}` (old style) or `{events=EPOLLIN, data={u32=7, u64=7}}`
 * (strace >= 5.x) into mask and data.
 */
export function parseEpollEvent(s: string): EpollEventArg | null {
  // The usual shapes, without splitting: a ready list can hold 64 of them per wait.
  const fast = EPOLL_EVENT_RE.exec(s);
  if (fast !== null) return { mask: parseMask(fast[1]!), u32: Number(fast[2]), u64: fast[3]! };
  if (!s.startsWith('{') || !s.endsWith('}')) return null;
  const parts = splitArgs(s.slice(1, -1));
  if (parts.length < 2) return null;
  const maskText = parts[0]!.startsWith('events=') ? parts[0]!.slice(7) : parts[0]!;
  const dataText = parts[1]!.startsWith('data=') ? parts[1]!.slice(5) : parts[1]!;
  const u32 = structField(dataText, 'u32');
  const u64 = structField(dataText, 'u64');
  return { mask: parseMask(maskText), u32: u32 === null ? null : parseIntArg(u32), u64 };
}

/** The elements of a printed array `[a, b, ...]`, or null if `s` is not an array (a pointer). */
export function parseArray(s: string): string[] | null {
  if (!s.startsWith('[') || !s.endsWith(']')) return null;
  const inner = s.slice(1, -1).trim();
  return inner === '' ? [] : splitArgs(inner);
}

/**
 * The byte count of an iovec array: the sum of its `iov_len` fields. `truncated` is set when
 * strace abbreviated the array (`...`), so the sum is a lower bound.
 */
export function iovecSum(s: string): { sum: number; truncated: boolean } | null {
  const items = parseArray(s);
  if (items === null) return null;
  let sum = 0;
  let truncated = false;
  for (const item of items) {
    if (item === '...') {
      truncated = true;
      continue;
    }
    const len = parseIntArg(structField(item, 'iov_len') ?? undefined);
    if (len === null) return null;
    sum += len;
  }
  return Number.isSafeInteger(sum) ? { sum, truncated } : null;
}

const PORT_RE = /(?:sin6?_port)=htons\((\d+)\)/;
const ADDR4_RE = /sin_addr=inet_addr\("([^"]*)"\)/;
const ADDR6_RE = /inet_pton\(AF_INET6, "([^"]*)"/;
const UNIX_RE = /sun_path=(@?"[^"]*")/;

/** A printed `struct sockaddr` as `127.0.0.1:50220`, `[::1]:443` or `unix:/path`; null if unknown. */
export function parseSockaddr(s: string): string | null {
  if (!s.startsWith('{sa_family=')) return null;
  const port = PORT_RE.exec(s)?.[1];
  const v4 = ADDR4_RE.exec(s)?.[1];
  if (v4 !== undefined && port !== undefined) return `${v4}:${port}`;
  const v6 = ADDR6_RE.exec(s)?.[1];
  if (v6 !== undefined && port !== undefined) return `[${v6}]:${port}`;
  if (s.startsWith('{sa_family=AF_UNIX')) {
    const path = UNIX_RE.exec(s)?.[1];
    return path === undefined ? 'unix:' : `unix:${path.replace(/"/g, '')}`;
  }
  return null;
}

/** The network of a printed sockaddr (`tcp`, `tcp6`, `unix`), or null. */
export function sockaddrNetwork(s: string): string | null {
  if (s.startsWith('{sa_family=AF_INET6')) return 'tcp6';
  if (s.startsWith('{sa_family=AF_INET')) return 'tcp';
  if (s.startsWith('{sa_family=AF_UNIX')) return 'unix';
  return null;
}
