import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAddress, splitAddress } from '../../src/linux/address';
import { closeListeners, listenAll } from '../../src/linux/listen';

describe('evio address syntax', () => {
  it.each([
    ['127.0.0.1:5000', 'tcp', false, [127, 0, 0, 1], 5000],
    ['tcp://127.0.0.1:5000', 'tcp', false, [127, 0, 0, 1], 5000],
    ['tcp://', 'tcp', false, [127, 0, 0, 1], 0],
    [':5000', 'tcp', false, [127, 0, 0, 1], 5000],
    ['tcp://0.0.0.0:80', 'tcp', false, [0, 0, 0, 0], 80],
    ['tcp4://localhost:1', 'tcp4', false, [127, 0, 0, 1], 1],
    ['tcp-net://127.0.0.1:9', 'tcp', false, [127, 0, 0, 1], 9],
    ['udp://:0', 'udp', false, [127, 0, 0, 1], 0],
    ['tcp://:0?reuseport=true', 'tcp', true, [127, 0, 0, 1], 0],
  ] as const)('%s', (text, network, reuseport, ip, port) => {
    const p = parseAddress(text);
    expect(p).toMatchObject({ network, reuseport, port });
    expect(p.ip).toEqual(ip);
  });

  it('parses IPv6 hosts and defaults tcp6 to ::1', () => {
    expect(parseAddress('tcp6://[::1]:7').ip).toEqual([...new Array(15).fill(0), 1]);
    expect(parseAddress('tcp6://:7').ip).toEqual([...new Array(15).fill(0), 1]);
    expect(parseAddress('[::ffff:1.2.3.4]:7').ip.slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
  });

  it('reads reuseport as evio does', () => {
    const rp = (q: string) => splitAddress(`tcp://:1?${q}`).reuseport;
    for (const yes of [
      'reuseport=true',
      'reuseport=T',
      'reuseport=yes',
      'reuseport=Y',
      'reuseport=1',
      'reuseport=9x',
    ])
      expect(rp(yes), yes).toBe(true);
    for (const no of [
      'reuseport=0',
      'reuseport=false',
      'reuseport=no',
      'reuseport=',
      'reuseport',
      'foo=true',
    ])
      expect(rp(no), no).toBe(false);
    expect(rp('reuseport=1&reuseport=')).toBe(true);
    expect(rp('reuseport=1&reuseport=0')).toBe(false);
    expect(rp('reuseport=0&foo=bar')).toBe(false);
    expect(splitAddress('tcp://a:1?reuseport=yes').address).toBe('a:1');
    expect(splitAddress('unix://x://y').address).toBe('x');
  });

  it.each([
    ['tulip://howdy', 'bad address "tulip://howdy": unknown network "tulip"'],
    ['howdy', 'missing port'],
    ['tcp://127.0.0.1:99999', 'invalid port'],
    ['tcp://example.com:80', 'give an IP address'],
    ['tcp6://127.0.0.1:1', 'not an IPv6 address'],
    ['tcp4://[::1]:1', 'not an IPv4 address'],
    ['udp4://:1', 'not supported'],
    ['unix://sock?reuseport=true', 'only tcp, tcp4, tcp6, udp, udp4, udp6 are supported'],
    ['unix://', 'missing unix socket path'],
  ])('rejects %s', (text, message) => {
    expect(() => parseAddress(text)).toThrow(message);
  });
});

describe('listenAll', () => {
  it('binds ephemeral ports, unix paths and UDP, and cleans up', () => {
    const path = join(tmpdir(), `loopscope-${process.pid}.sock`);
    const specs = listenAll(['tcp://', `unix://${path}`, 'udp://:0'], { loops: 2, perLoop: false });
    try {
      expect(specs.map((s) => [s.index, s.network, s.ownerLoop])).toEqual([
        [0, 'tcp', null],
        [1, 'unix', null],
        [2, 'udp', null],
      ]);
      expect(specs[0]!.addr).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(specs[0]!.addr).not.toBe('127.0.0.1:0');
      expect(specs[1]!.addr).toBe(path);
      expect(existsSync(path)).toBe(true);
    } finally {
      closeListeners(specs);
    }
    expect(existsSync(path)).toBe(false);
  });

  it('makes one SO_REUSEPORT listener per loop on one port in reuseport mode', () => {
    const specs = listenAll(['tcp://127.0.0.1:0'], { loops: 3, perLoop: true });
    try {
      expect(specs.map((s) => s.ownerLoop)).toEqual([0, 1, 2]);
      expect(new Set(specs.map((s) => s.addr)).size).toBe(1);
      expect(specs.every((s) => s.reuseport)).toBe(true);
    } finally {
      closeListeners(specs);
    }
  });

  it('closes what it made when a later address fails', () => {
    const calls: { name: string; ret: number }[] = [];
    const onSyscall = (c: { name: string; ret: number }) => calls.push(c);
    expect(() => listenAll(['tcp://', 'bogus://x'], { loops: 1, perLoop: false, onSyscall })).toThrow(
      'unknown network',
    );
    expect(calls.map((c) => c.name)).toEqual([
      'socket',
      'setsockopt(SO_REUSEADDR)',
      'bind',
      'listen',
      'getsockname',
    ]);
    expect(calls[0]!.ret).toBeGreaterThan(2);
    expect(existsSync(`/proc/self/fd/${calls[0]!.ret}`)).toBe(false);
  });
});
