/**
 * evio's address syntax, `[scheme://]address[?query]` (evio's `parseAddr`), plus Loopscope's
 * safe default: an address without a host binds 127.0.0.1, never every interface.
 *
 * Parsing follows evio exactly: the scheme is the text before the first `://` and the address
 * the text between the first and the second; a `-net` suffix (evio's stdlib mode) is accepted and
 * dropped (Loopscope has no stdlib mode); the query is split on `&`, each part on `=`, parts
 * without exactly one `=` are ignored, and `reuseport` is true when its value starts with
 * T/t/Y/y or 1-9 (an empty value leaves it unchanged).
 */
import { parseIPv4, parseIPv6 } from './sockaddr';

/** A network Loopscope can listen on. */
export type Network = 'tcp' | 'tcp4' | 'tcp6' | 'unix' | 'udp';

/** A parsed, resolved listen address. */
export interface ParsedAddress {
  /** The text given to `serve`. */
  text: string;
  network: Network;
  reuseport: boolean;
  /** IPv4 (4 bytes) or IPv6 (16 bytes) address; empty for unix. */
  ip: number[];
  port: number;
  /** The socket path for unix. */
  path: string;
}

/** evio's scheme / address / reuseport split, before any validation. */
export function splitAddress(addr: string): { network: string; address: string; reuseport: boolean } {
  let network = 'tcp';
  let address = addr;
  let reuseport = false;
  if (address.includes('://')) {
    const parts = address.split('://');
    network = parts[0]!;
    address = parts[1]!;
  }
  if (network.endsWith('-net')) network = network.slice(0, -4);
  const q = address.indexOf('?');
  if (q !== -1) {
    for (const part of address.slice(q + 1).split('&')) {
      const kv = part.split('=');
      if (kv.length !== 2 || kv[0] !== 'reuseport' || kv[1]!.length === 0) continue;
      const c = kv[1]![0]!;
      reuseport = 'TtYy'.includes(c) || (c >= '1' && c <= '9');
    }
    address = address.slice(0, q);
  }
  return { network, address, reuseport };
}

function fail(addr: string, why: string): never {
  throw new Error(`bad address "${addr}": ${why}`);
}

function resolveHost(addr: string, network: Network, host: string): number[] {
  const v6 = network === 'tcp6';
  if (host === '' || host === 'localhost') return v6 ? parseIPv6('::1')! : [127, 0, 0, 1];
  const ip4 = parseIPv4(host);
  const ip6 = host.startsWith('[') && host.endsWith(']') ? parseIPv6(host.slice(1, -1)) : null;
  if (ip4) {
    if (v6) fail(addr, `${host} is not an IPv6 address (network tcp6)`);
    return ip4;
  }
  if (ip6) {
    if (network === 'tcp4') fail(addr, `${host} is not an IPv4 address (network tcp4)`);
    return ip6;
  }
  return fail(addr, `cannot use host "${host}": give an IP address (or localhost)`);
}

/** Parses one `serve` address; throws a clear error for anything Loopscope cannot listen on. */
export function parseAddress(addr: string): ParsedAddress {
  const { network, address, reuseport } = splitAddress(addr);
  if (network === 'udp4' || network === 'udp6') {
    fail(addr, `network "${network}" is not supported (evio hands it to net.Listen, which fails)`);
  }
  if (!['tcp', 'tcp4', 'tcp6', 'unix', 'udp'].includes(network)) fail(addr, `unknown network "${network}"`);
  const net = network as Network;
  if (net === 'unix') {
    if (reuseport) fail(addr, 'reuseport: only tcp, tcp4, tcp6, udp, udp4, udp6 are supported');
    if (address === '') fail(addr, 'missing unix socket path');
    return { text: addr, network: net, reuseport, ip: [], port: 0, path: address };
  }
  // `tcp://` with nothing after it: an ephemeral port, as evio's TestBadAddresses expects.
  const hostPort = address === '' ? ':0' : address;
  const colon = hostPort.lastIndexOf(':');
  if (colon < 0) fail(addr, 'missing port in address');
  const host = hostPort.slice(0, colon);
  const portText = hostPort.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) fail(addr, `invalid port "${portText}"`);
  const ip = resolveHost(addr, net, host);
  return { text: addr, network: net, reuseport, ip, port: Number(portText), path: '' };
}
