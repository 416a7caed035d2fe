/** Small hand-written logs: each checks one thing the importer must understand. */
import { describe, expect, it } from 'vitest';
import { computeStats, EV } from '../../src/index';
import { importStrace, StraceImportError, StraceImporter } from '../../src/strace/index';
import { acceptOutcomes, importChecked, ofKind } from './helpers';

/** A single-threaded loop (no pid column, old epoll_event style, epoll_create, EPOLL_CTL_DEL). */
const SINGLE = `# cmd: strace -tt -T -o log ./tiny-server 8080
10:00:00.000000 epoll_create(10)        = 3 <0.000010>
10:00:00.000100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4 <0.000010>
10:00:00.000200 epoll_ctl(3, EPOLL_CTL_ADD, 4, {EPOLLIN, {u32=4, u64=4}}) = 0 <0.000005>
10:00:00.000300 epoll_wait(3, [{EPOLLIN, {u32=4, u64=4}}], 16, -1) = 1 <0.500000>
10:00:00.500400 accept(4, {sa_family=AF_INET6, sin6_port=htons(5000), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, [28]) = 5 <0.000010>
10:00:00.500500 epoll_ctl(3, EPOLL_CTL_ADD, 5, {EPOLLIN|EPOLLRDHUP|EPOLLET, {u32=5, u64=5}}) = 0 <0.000005>
10:00:00.500600 epoll_wait(3, [{EPOLLIN, {u32=5, u64=5}}], 16, -1) = 1 <0.000100>
10:00:00.500700 read(5, "ping\\n", 1024) = 5 <0.000010>
10:00:00.500800 write(5, "ping\\n", 5)  = 5 <0.000010>
10:00:00.500900 read(5, 0x7ffc, 1024)  = -1 EAGAIN (Resource temporarily unavailable) <0.000004>
10:00:00.501000 epoll_wait(3, [], 16, 0) = 0 <0.000002>
10:00:00.600000 epoll_wait(3, [{EPOLLIN|EPOLLRDHUP, {u32=5, u64=5}}], 16, -1) = 1 <0.090000>
10:00:00.690100 read(5, "", 1024)       = 0 <0.000010>
10:00:00.690200 epoll_ctl(3, EPOLL_CTL_DEL, 5, NULL) = 0 <0.000005>
10:00:00.690300 close(5)                = 0 <0.000010>
10:00:00.690400 accept(4, NULL, NULL)   = 5 <0.000010>
10:00:00.690500 close(5)                = 0 <0.000010>
10:00:00.690600 epoll_wait(3, 0x55d0, 16, -1) = -1 EINTR (Interrupted system call) <0.000300>
10:00:00.691000 --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=1, si_uid=0} ---
10:00:00.691100 +++ killed by SIGTERM +++
`;

describe('a single-threaded loop', () => {
  const r = importChecked(SINGLE);

  it('makes one loop from epoll_create, with the program from # cmd:', () => {
    expect(r.header).toMatchObject({ mode: 'strace', loops: 1, balance: null, host: null });
    expect(r.header.source).toEqual({ type: 'strace', program: 'tiny-server', pids: [], seed: null });
    expect(ofKind(r.events, 'loop-start')).toMatchObject([{ loop: 0, epfd: 3, wakeFd: -1, thread: 0 }]);
    expect(r.events.map((e) => e.seq)).toEqual(r.events.map((_, i) => i));
  });

  it('reads old-style ready lists, masks, ADD and DEL', () => {
    const ctl = ofKind(r.events, 'ctl');
    expect(ctl.map((e) => [e.op, e.fd, e.gen, e.old, e.new])).toEqual([
      ['add', 4, null, 0, EV.IN],
      ['add', 5, 1, 0, (EV.IN | EV.RDHUP | EV.ET) >>> 0],
      ['del', 5, 1, (EV.IN | EV.RDHUP | EV.ET) >>> 0, 0],
    ]);
    const ret = ofKind(r.events, 'wait-return');
    expect(ret.map((e) => [e.n, e.ready, e.errno])).toEqual([
      [1, [4, EV.IN], null],
      [1, [5, EV.IN], null],
      [0, [], null],
      [1, [5, EV.IN | EV.RDHUP], null],
      [-1, [], 'EINTR'],
    ]);
    expect(ret[0]!.blockedNs).toBe(500_000_000);
    expect(ofKind(r.events, 'wait-enter').map((e) => e.timeoutMs)).toEqual([-1, -1, 0, -1, -1]);
  });

  it('tells accepts, conns, generations, reads, writes and closes apart', () => {
    expect(ofKind(r.events, 'accept').map((e) => [e.outcome, e.fd, e.gen, e.remote])).toEqual([
      ['won', 5, 1, '[::1]:5000'],
      ['won', 5, 2, null],
    ]);
    expect(ofKind(r.events, 'listener')).toMatchObject([
      { loop: 0, fd: 4, addr: 'unknown', network: 'tcp6' },
    ]);
    expect(ofKind(r.events, 'read').map((e) => e.result)).toEqual(['data', 'eagain', 'eof']);
    expect(ofKind(r.events, 'write')).toMatchObject([{ asked: 5, written: 5, result: 'full', gen: 1 }]);
    expect(ofKind(r.events, 'close').map((e) => [e.gen, e.reason])).toEqual([
      [1, 'eof'],
      [2, 'action'],
    ]);
    expect(computeStats(r.header, r.events)).toMatchObject({ requests: 1, acceptsWon: 2, ctlDel: 1 });
  });

  it('keeps the signal as an other event and the exit as a mark, then stops the loop', () => {
    expect(ofKind(r.events, 'other').map((e) => e.name)).toEqual(['SIGTERM']);
    expect(ofKind(r.events, 'mark').map((e) => e.text)).toEqual(['process: killed by SIGTERM']);
    expect(ofKind(r.events, 'loop-stop')).toMatchObject([
      { loop: 0, reason: 'shutdown', error: 'killed by SIGTERM' },
    ]);
  });

  it('drops noise on request and counts it', () => {
    const quiet = importChecked(SINGLE, { keepNoise: false });
    expect(ofKind(quiet.events, 'other')).toHaveLength(0);
    expect(quiet.summary.noiseDropped).toBe(1);
  });
});

/** Two threads of one process, interleaved halves, -ttt timestamps, new epoll_event style. */
const THREADS = `1700000000.000000 epoll_create1(0)     = 8
1700000000.000010 eventfd2(0, 0)         = 9
1700000000.000020 epoll_ctl(8, EPOLL_CTL_ADD, 9, {events=EPOLLIN, data={u32=9, u64=9}}) = 0
1700000000.000030 epoll_ctl(8, EPOLL_CTL_ADD, 7, {events=EPOLLIN, data={u32=7, u64=7}}) = 0
[pid   101] 1700000000.000100 epoll_wait(8,  <unfinished ...>
[pid   102] 1700000000.000200 write(9, "\\1\\0\\0\\0\\0\\0\\0\\0", 8 <unfinished ...>
[pid   101] 1700000000.000300 <... epoll_wait resumed>[{events=EPOLLIN, data={u32=9, u64=9}}], 64, 100) = 1
[pid   102] 1700000000.000400 <... write resumed>) = 8
[pid   101] 1700000000.000500 read(9, "\\1\\0\\0\\0\\0\\0\\0\\0", 8) = 8
[pid   101] 1700000000.000600 epoll_wait(8,  <unfinished ...>
[pid   102] 1700000000.000700 accept4(7,  <unfinished ...>
[pid   101] 1700000000.000800 <... epoll_wait resumed>[{events=EPOLLIN, data={u32=7, u64=7}}], 64, 100) = 1
[pid   102] 1700000000.000900 <... accept4 resumed>{sa_family=AF_INET, sin_port=htons(4000), sin_addr=inet_addr("10.0.0.1")}, [112 => 16], SOCK_NONBLOCK) = 12
[pid   101] 1700000000.001000 epoll_ctl(8, EPOLL_CTL_ADD, 12, {events=EPOLLIN|EPOLLOUT, data={u32=12, u64=12}}) = 0
[pid   101] 1700000000.001100 writev(12, [{iov_base="HTTP/1.1 200 OK\\r\\n"..., iov_len=257}, {iov_base="xy"..., iov_len=32768}], 2) = 4096
`;

describe('interleaved threads', () => {
  const r = importChecked(THREADS);

  it('joins halves per thread, with the start time for wait-enter and the end for wait-return', () => {
    const enter = ofKind(r.events, 'wait-enter');
    const ret = ofKind(r.events, 'wait-return');
    expect(enter.map((e) => [e.t, e.max, e.timeoutMs])).toEqual([
      [100_000, 64, 100],
      [600_000, 64, 100],
    ]);
    expect(ret.map((e) => [e.t, e.blockedNs])).toEqual([
      [300_000, 200_000],
      [800_000, 200_000],
    ]);
    for (let i = 1; i < r.events.length; i++)
      expect(r.events[i]!.t).toBeGreaterThanOrEqual(r.events[i - 1]!.t);
  });

  it('turns the eventfd into the wake fd and its calls into eventfd events', () => {
    expect(ofKind(r.events, 'loop-start')).toMatchObject([{ epfd: 8, wakeFd: 9 }]);
    expect(ofKind(r.events, 'eventfd').map((e) => [e.op, e.fd, e.target])).toEqual([
      ['write', 9, 0],
      ['read', 9, 0],
    ]);
  });

  it('accepts on the other thread into the loop that woke, and sums iov_len for writev', () => {
    expect(ofKind(r.events, 'accept')).toMatchObject([
      { loop: 0, outcome: 'won', fd: 12, gen: 1, remote: '10.0.0.1:4000' },
    ]);
    expect(ofKind(r.events, 'listener')).toMatchObject([{ loop: 0, fd: 7 }]);
    expect(ofKind(r.events, 'write')).toMatchObject([
      { sys: 'writev', asked: 33025, written: 4096, result: 'partial' },
    ]);
    expect(r.header.source.pids).toEqual([101, 102]);
  });

  it('gives the same events whatever the chunking', () => {
    const imp = new StraceImporter({ created: '2026-11-27T00:00:00.000Z' });
    const events = [];
    for (let i = 0; i < THREADS.length; i += 7) events.push(...imp.push(THREADS.slice(i, i + 7)));
    events.push(...imp.finish().events);
    expect(events).toEqual(r.events);
  });
});

describe('round-robin declines', () => {
  // Loop B (epfd 11) wakes for the listener but does not accept before waiting again.
  const LOG = [
    '1 00:00:00.000001 epoll_create1(0) = 8',
    '1 00:00:00.000002 epoll_create1(0) = 11',
    '1 00:00:00.000003 epoll_ctl(8, EPOLL_CTL_ADD, 7, {events=EPOLLIN, data={u32=7, u64=7}}) = 0',
    '1 00:00:00.000004 epoll_ctl(11, EPOLL_CTL_ADD, 7, {events=EPOLLIN, data={u32=7, u64=7}}) = 0',
    '2 00:00:00.000010 epoll_wait(8, [{events=EPOLLIN, data={u32=7, u64=7}}], 64, 100) = 1',
    '3 00:00:00.000011 epoll_wait(11, [{events=EPOLLIN, data={u32=7, u64=7}}], 64, 100) = 1',
    '3 00:00:00.000012 epoll_wait(11, [{events=EPOLLIN, data={u32=7, u64=7}}], 64, 100) = 1',
    '2 00:00:00.000013 accept4(7, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr("127.0.0.1")}, [16], 0) = 20',
    '2 00:00:00.000014 epoll_ctl(8, EPOLL_CTL_ADD, 20, {events=EPOLLIN|EPOLLOUT, data={u32=20, u64=20}}) = 0',
    '3 00:00:00.000015 epoll_wait(11, [], 64, 100) = 0',
  ].join('\n');

  it('emits declined for wake-ups with no accept, even before the listener was known', () => {
    const r = importChecked(LOG);
    expect(acceptOutcomes(r.events)).toEqual({ won: 1, declined: 2 });
    const declined = ofKind(r.events, 'accept').filter((e) => e.outcome === 'declined');
    expect(declined.map((e) => [e.loop, e.t, e.reason])).toEqual([
      [1, 10_000, 'no accept after wake-up (balancer declined)'],
      [1, 11_000, 'no accept after wake-up (balancer declined)'],
    ]);
    // The listener is announced where it was registered, before the wake-ups.
    expect(ofKind(r.events, 'listener').map((e) => [e.loop, e.t])).toEqual([
      [0, 2_000],
      [1, 3_000],
    ]);
    expect(computeStats(r.header, r.events).listenerWakeupsPerAccept).toBe(3);
  });
});

describe('runtime pollers', () => {
  const LOG = [
    '5 00:00:00.000001 epoll_create1(EPOLL_CLOEXEC) = 4',
    '5 00:00:00.000002 epoll_ctl(4, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, data={u32=1, u64=140000}}) = 0',
    '6 00:00:00.000003 epoll_pwait(4, [], 128, 0, NULL, 0) = 0',
    '5 00:00:00.000004 epoll_create1(0) = 8',
    '5 00:00:00.000005 epoll_wait(8, [], 64, 100) = 0',
  ].join('\n');

  it('filters an epoll fd polled only with timeout 0, and counts it', () => {
    const r = importChecked(LOG);
    expect(r.header.loops).toBe(1);
    expect(ofKind(r.events, 'loop-start')).toMatchObject([{ loop: 0, epfd: 8 }]);
    expect(r.summary.runtimePollerEvents).toBe(3);
    expect(ofKind(r.events, 'other').map((e) => e.name)).toEqual([
      'epoll_create1',
      'epoll_ctl',
      'epoll_pwait',
    ]);
  });

  it('keeps it as a loop with keepRuntimePoller', () => {
    const r = importChecked(LOG, { keepRuntimePoller: true });
    expect(ofKind(r.events, 'loop-start').map((e) => e.epfd)).toEqual([4, 8]);
    expect(r.summary.runtimePollerEvents).toBe(0);
  });
});

describe('bad input', () => {
  it('counts garbage, cut lines and a truncated end as skipped lines, never throwing', () => {
    const log = [
      '1 10:00:00.000000 epoll_create1(0) = 8',
      'hello world',
      '1 10:00:00.000100 epoll_wait(8, [], 64, 100) = 0',
      '1 10:00:00.000200 write(5, "abc", 3',
      '\u0000\u0001binary',
      '1 10:00:00.000300 read(5, "ab',
      'epoll_wait(8, [], 64, 100) = 0',
      '1 10:00:00.000400 epoll_wait(8,  <unfinished ...>',
      '2 10:00:00.000500 <... read resumed>) = 3',
      '1 10:00:00.000600 +++ exited',
    ].join('\n');
    const r = importChecked(log);
    expect(r.summary.skippedLines).toBe(7);
    expect(r.summary.skipped.map((s) => s.line)).toEqual([2, 4, 5, 6, 7, 9, 10]);
    expect(r.summary.skipped[5]!.reason).toMatch(/resumed without its start/);
    expect(r.summary.skipped[4]!.reason).toMatch(/timestamp/);
    expect(r.summary.unfinishedAtEnd).toBe(1);
    expect(ofKind(r.events, 'other').map((e) => e.detail)).toEqual([expect.stringMatching(/^unfinished/)]);
  });

  it('raises a clear error for a file that is not strace at all', () => {
    expect(() => importStrace('{"format":"loopscope-trace"}\nnot strace\n')).toThrow(StraceImportError);
    expect(() => importStrace('{"format":"loopscope-trace"}\n')).toThrow(/not an strace log: .*line 1/);
    expect(() => importStrace('')).toThrow(/input is empty/);
  });

  it('gives up early on a large non-strace input', () => {
    const imp = new StraceImporter();
    expect(() => imp.push('x\n'.repeat(5000))).toThrow(StraceImportError);
  });

  it('skips numbers no recording can hold', () => {
    const r = importChecked(
      [
        '1 10:00:00.000000 epoll_create1(0) = 8',
        '99999999999999999999 10:00:00.000001 epoll_wait(8, [], 64, 100) = 0',
        '1 10:00:00.000002 epoll_wait(8, [], 64, 100) = 0 <99999999999.000000>',
        '1 10:00:00.000003 writev(3, [{iov_base="", iov_len=9007199254740991}, {iov_base="", iov_len=9}], 2) = 4',
      ].join('\n'),
    );
    expect(r.summary.skipped.map((s) => [s.line, s.reason])).toEqual([[2, 'pid out of range']]);
    expect(ofKind(r.events, 'wait-return')[0]!.blockedNs).toBe(-1);
  });

  it('handles midnight with -tt', () => {
    const r = importChecked(
      '1 23:59:59.999000 epoll_create1(0) = 8\n1 00:00:00.001000 epoll_wait(8, [], 64, 100) = 0\n',
    );
    expect(ofKind(r.events, 'wait-return')[0]!.t).toBe(2_000_000);
  });
});
