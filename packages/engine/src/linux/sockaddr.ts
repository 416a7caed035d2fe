/**
 * Socket addresses: text <-> `struct sockaddr_*` bytes, for bind, accept, getsockname, recvfrom.
 *
 * Layouts (Linux, both arches): `sockaddr_in` 16 bytes (family u16, port u16 big-endian, addr
 * 4 bytes), `sockaddr_in6` 28 bytes (family, port, flowinfo u32, addr 16 bytes, scope u32),
 * `sockaddr_un` 110 bytes (family, NUL-terminated path of at most 107 bytes). The family is in
 * host byte order (little-endian here).
 */
import { K } from './libc';

/** Room for any sockaddr (`sizeof(struct sockaddr_storage)`). */
export const SOCKADDR_MAX = 128;
const UNIX_PATH_MAX = 107;

/** Parses a dotted IPv4 address, or returns null. */
export function parseIPv4(s: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? b : null;
}

/** Parses an IPv6 address (with `::` and an optional dotted IPv4 tail), or returns null. */
export function parseIPv6(s: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    // A dotted IPv4 tail (`::ffff:1.2.3.4`) stands for the last two groups.
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return null;
    const hi = ((v4[0]! << 8) | v4[1]!).toString(16);
    const lo = ((v4[2]! << 8) | v4[3]!).toString(16);
    text = `${text.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const group = (part: string) => (part === '' ? [] : part.split(':'));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const words = [...head, ...rest].map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? Number.parseInt(g, 16) : -1));
  if (words.includes(-1)) return null;
  if (halves.length === 1 ? words.length !== 8 : words.length > 7) return null;
  const zeros = new Array<number>(8 - words.length).fill(0);
  const all = [...words.slice(0, head.length), ...zeros, ...words.slice(head.length)];
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

/** Encodes an IPv4 or IPv6 address and port; returns the sockaddr length. */
export function encodeInet(buf: Buffer, ip: number[], port: number): number {
  buf.fill(0, 0, 28);
  buf.writeUInt16BE(port, 2);
  if (ip.length === 4) {
    buf.writeUInt16LE(K.AF_INET, 0);
    for (let i = 0; i < 4; i++) buf[4 + i] = ip[i]!;
    return 16;
  }
  buf.writeUInt16LE(K.AF_INET6, 0);
  for (let i = 0; i < 16; i++) buf[8 + i] = ip[i]!;
  return 28;
}

/** Encodes a unix socket path; returns the sockaddr length. Throws if the path is too long. */
export function encodeUnix(buf: Buffer, path: string): number {
  const bytes = Buffer.from(path, 'utf8');
  if (bytes.length > UNIX_PATH_MAX)
    throw new Error(`unix socket path too long (${bytes.length} > 107 bytes)`);
  buf.fill(0, 0, 110);
  buf.writeUInt16LE(K.AF_UNIX, 0);
  bytes.copy(buf, 2);
  return 2 + bytes.length + 1;
}

function formatIPv6(b: Buffer, off: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(b.readUInt16BE(off + i * 2));
  if (w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff) {
    return `${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(w);
  return `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

/** Formats a sockaddr as Go's `net.Addr.String()` would: `1.2.3.4:80`, `[::1]:80`, a path, `@`. */
export function formatSockaddr(buf: Buffer, len: number): string {
  if (len < 2) return '@';
  const family = buf.readUInt16LE(0);
  if (family === K.AF_INET) return `${buf[4]}.${buf[5]}.${buf[6]}.${buf[7]}:${buf.readUInt16BE(2)}`;
  if (family === K.AF_INET6) {
    const ip = formatIPv6(buf, 8);
    return ip.includes(':') ? `[${ip}]:${buf.readUInt16BE(2)}` : `${ip}:${buf.readUInt16BE(2)}`;
  }
  if (family === K.AF_UNIX) {
    const end = buf.indexOf(0, 2);
    const path = buf.toString('utf8', 2, end < 0 || end > len ? len : end);
    return path === '' ? '@' : path;
  }
  return `family ${family}`;
}
