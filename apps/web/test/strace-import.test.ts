import { encodeEvent, encodeHeader, makeHeader, type TraceEvent } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import { importStraceSliced, sniffFormat } from '../src/sources/strace-import';
import { differs, diffText } from '../src/views/compare-data';

/** A hand-made log (not from a fixture): two loops watch listener fd 3, one wins, one gets EAGAIN. */
const HERD = `# a hand-made two-loop herd
101 10:00:00.000100 epoll_create1(0) = 5 <0.000010>
101 10:00:00.000200 epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN, data={u32=3, u64=3}}) = 0 <0.000010>
102 10:00:00.000300 epoll_create1(0) = 8 <0.000010>
102 10:00:00.000400 epoll_ctl(8, EPOLL_CTL_ADD, 3, {events=EPOLLIN, data={u32=3, u64=3}}) = 0 <0.000010>
101 10:00:00.001000 epoll_wait(5, [{events=EPOLLIN, data={u32=3, u64=3}}], 64, 100) = 1 <0.000500>
102 10:00:00.001010 epoll_wait(8, [{events=EPOLLIN, data={u32=3, u64=3}}], 64, 100) = 1 <0.000500>
101 10:00:00.001100 accept4(3, {sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr("127.0.0.1")}, [112 => 16], SOCK_CLOEXEC|SOCK_NONBLOCK) = 9 <0.000020>
102 10:00:00.001110 accept4(3, 0xc000012345, 0xc000012350, SOCK_CLOEXEC|SOCK_NONBLOCK) = -1 EAGAIN (Resource temporarily unavailable) <0.000010>
101 10:00:00.001200 epoll_ctl(5, EPOLL_CTL_ADD, 9, {events=EPOLLIN|EPOLLOUT, data={u32=9, u64=9}}) = 0 <0.000010>
101 10:00:00.002000 epoll_wait(5, [], 64, 100) = 0 <0.100000>
102 10:00:00.002000 epoll_wait(8, [], 64, 100) = 0 <0.100000>
`;

function ndjson(): string {
  const h = makeHeader({
    mode: 'evio',
    loops: 1,
    balance: null,
    scenario: null,
    host: null,
    source: { type: 'hand', program: null, pids: [], seed: null },
  });
  const ev: TraceEvent = { seq: 0, t: 0, loop: -1, kind: 'end', events: 1 } as TraceEvent;
  return `${encodeHeader(h)}\n${encodeEvent(ev)}\n`;
}

describe('sniffFormat', () => {
  it('tells an strace log from an NDJSON recording by content', () => {
    expect(sniffFormat(HERD)).toBe('strace');
    expect(sniffFormat(new TextEncoder().encode(HERD))).toBe('strace');
    expect(sniffFormat(ndjson())).toBe('ndjson');
    expect(sniffFormat(`\n\n${ndjson()}`)).toBe('ndjson');
  });

  it('sends text that is neither to the NDJSON decoder, which explains the problem', () => {
    expect(sniffFormat('hello world\nthis is not a trace\n')).toBe('ndjson');
    expect(sniffFormat('')).toBe('ndjson');
  });
});

describe('importStraceSliced', () => {
  it('imports the loops, the herd and the counts, in slices', async () => {
    const events: TraceEvent[] = [];
    const progress: number[] = [];
    const res = await importStraceSliced(HERD, {
      onEvents: (b) => events.push(...b),
      onProgress: (f) => progress.push(f),
      cancelled: () => false,
    });
    expect(res).not.toBeNull();
    expect(res!.summary.loops).toBe(2);
    expect(res!.header.mode).toBe('strace');
    expect(res!.summary.skippedLines).toBe(0);
    const accepts = events.flatMap((e) => (e.kind === 'accept' ? [e.outcome] : []));
    expect(accepts.sort()).toEqual(['eagain', 'won']);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(progress.at(-1)).toBe(1);
  });

  it('stops when cancelled and rejects text that is not strace output', async () => {
    const cancelled = await importStraceSliced(HERD, {
      onEvents: () => {},
      onProgress: () => {},
      cancelled: () => true,
    });
    expect(cancelled).toBeNull();
    await expect(
      importStraceSliced('not a log\n', { onEvents: () => {}, onProgress: () => {}, cancelled: () => false }),
    ).rejects.toThrow(/not an strace log/);
  });
});

describe('compare differences', () => {
  it('marks differences above 5 % and prints ratios or deltas', () => {
    expect(differs(4, 4)).toBe(false);
    expect(differs(100, 103)).toBe(false);
    expect(differs(1, 4)).toBe(true);
    expect(differs(0, 2)).toBe(true);
    expect(differs(null, 2)).toBe(false);
    expect(diffText(1, 4)).toBe('×4');
    expect(diffText(4, 1)).toBe('÷4');
    expect(diffText(10, 12)).toBe('+2');
    expect(diffText(0, 3)).toBe('+3');
  });
});
