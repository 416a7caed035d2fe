import { arch } from 'node:os';
import { EV } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { allocEvents, decodeEvents, EPOLL_ABI, encodeEvent, epollAbiFor } from '../../src/linux/epoll-abi';
import { LinuxKernel } from '../../src/linux/kernel';
import { libc } from '../../src/linux/libc';

describe('struct epoll_event', () => {
  it('is 12 bytes packed on x86_64 and 16 on arm64', () => {
    expect(epollAbiFor('x64')).toEqual({ size: 12, eventsOffset: 0, dataOffset: 4 });
    expect(epollAbiFor('arm64')).toEqual({ size: 16, eventsOffset: 0, dataOffset: 8 });
    expect(() => epollAbiFor('mips')).toThrow(/unknown/);
    expect(EPOLL_ABI.size).toBe(arch() === 'x64' ? 12 : 16);
  });

  it('encodes and decodes in place', () => {
    const buf = allocEvents(2);
    expect(buf.length).toBe(2 * EPOLL_ABI.size);
    encodeEvent(buf, (EV.IN | EV.ET) >>> 0, 77);
    const fds = new Int32Array(1);
    const masks = new Uint32Array(1);
    decodeEvents(buf, 1, fds, masks);
    expect([fds[0], masks[0]]).toEqual([77, (EV.IN | EV.ET) >>> 0]);
  });

  it('decodes a real epoll_wait result', () => {
    const k = new LinuxKernel();
    const ep = k.pollCreate();
    const a = k.eventfdCreate();
    const b = k.eventfdCreate();
    try {
      expect(k.pollCtl(ep, 'add', a, EV.IN | EV.OUT)).toBe(0);
      expect(k.pollCtl(ep, 'add', b, EV.OUT)).toBe(0);
      expect(k.eventfdWrite(a)).toBe(0);
      const fds = new Int32Array(64);
      const masks = new Uint32Array(64);
      const n = k.pollWait(ep, fds, masks, 1000);
      expect(n).toBe(2);
      const got = new Map([...fds.slice(0, n)].map((fd, i) => [fd, masks[i]]));
      expect(got.get(a)).toBe(EV.IN | EV.OUT);
      expect(got.get(b)).toBe(EV.OUT);
      expect(k.eventfdRead(a)).toBe(0);
      expect(k.pollCtl(ep, 'del', b, 0)).toBe(0);
      expect(k.pollWait(ep, fds, masks, 0)).toBe(1);
      expect([fds[0], masks[0]]).toEqual([a, EV.OUT]);
    } finally {
      for (const fd of [a, b, ep]) libc.close(fd);
    }
  });
});
