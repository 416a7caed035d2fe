/** Property tests: no input line makes the parser or the importer throw (except "not strace"). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../src/index';
import { parseStraceLine, StraceImportError, StraceImporter } from '../../src/strace/index';
import { readStraceFixture } from './helpers';

const SAMPLES = [
  '25539 13:55:08.602272 epoll_ctl(4, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, data={u32=587607800, u64=139930622111480}} <unfinished ...>',
  '25542 13:55:08.602364 <... epoll_pwait resumed>[{events=EPOLLIN|EPOLLOUT, data={u32=587607800, u64=139930622111480}}], 128, 0, NULL, 0) = 1 <0.000026>',
  '20913 13:02:17.347755 <... accept4 resumed>{sa_family=AF_INET, sin_port=htons(50220), sin_addr=inet_addr("127.0.0.1")}, [112 => 16], 0) = 13',
  '25692 13:55:33.225550 writev(7, [{iov_base="HTTP/1.1 200 OK\\r\\nServer: nginx/1"..., iov_len=257}, {iov_base="\\30\\202"..., iov_len=32768}], 2) = 33025 <0.000016>',
  '24532 13:53:12.982644 <... epoll_wait resumed> <unfinished ...>) = ?',
  '20913 13:02:17.348292 --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=20913, si_uid=0} ---',
  '25692 13:55:34.457062 +++ exited with 0 +++',
  '[pid  101] 1700000000.000100 epoll_wait(8, [{EPOLLIN, {u32=7, u64=7}}], 64, 100) = 1',
  '25329 13:54:55.045946 write(11, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"..., 65536) = -1 EAGAIN (Resource temporarily unavailable) <0.000010>',
  '25539 13:55:08.600227 fcntl(0, F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE) <0.000111>',
];

/** A sample line cut, spliced or sprinkled with characters strace gives meaning to. */
const mangled = fc
  .tuple(
    fc.constantFrom(...SAMPLES),
    fc.nat(),
    fc.nat(),
    fc.string({ unit: fc.constantFrom(...'(){}[]",=<>.\\ 0123456789-?|#+'.split('')) }),
  )
  .map(([s, a, b, junk]) => {
    const i = a % (s.length + 1);
    const j = b % (s.length + 1);
    return s.slice(0, Math.min(i, j)) + junk + s.slice(Math.max(i, j));
  });

const KNOWN = new Set(['call', 'unfinished', 'resumed', 'signal', 'exit', 'comment', 'blank', 'bad']);

describe('parseStraceLine', () => {
  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(KNOWN.has(parseStraceLine(s).type)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on damaged strace lines', () => {
    fc.assert(
      fc.property(mangled, (s) => {
        expect(KNOWN.has(parseStraceLine(s).type)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('parses every sample', () => {
    for (const s of SAMPLES) expect(parseStraceLine(s).type).not.toBe('bad');
  });
});

describe('StraceImporter', () => {
  it('never throws on a damaged log and always emits valid, ordered events', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(mangled, fc.constantFrom(...SAMPLES)), { maxLength: 40 }), (lines) => {
        const imp = new StraceImporter({ created: '2026-11-27T00:00:00.000Z' });
        const events = [...imp.push(lines.join('\n'))];
        let res: ReturnType<StraceImporter['finish']>;
        try {
          res = imp.finish();
        } catch (err) {
          expect(err).toBeInstanceOf(StraceImportError);
          return;
        }
        events.push(...res.events);
        events.forEach((e, i) => {
          validateEvent(JSON.parse(JSON.stringify(e)), i + 2);
          expect(e.seq).toBe(i);
          if (i > 0) expect(e.t).toBeGreaterThanOrEqual(events[i - 1]!.t);
        });
        expect(res.header.loops).toBe(
          new Set(events.filter((e) => e.kind === 'loop-start').map((e) => e.loop)).size,
        );
      }),
      { numRuns: 1500 },
    );
  });
});

/** Real lines of a Go herd log, picked in any order and damaged: merges, joins, holds all happen. */
const REAL = readStraceFixture('evio-herd-4loops-random.strace').split('\n').slice(5, 400);
const realMangled = fc
  .tuple(
    fc.constantFrom(...REAL),
    fc.nat(),
    fc.nat(),
    fc.string({ unit: fc.constantFrom(...'(){}[]",=<>. 0123456789-?|'.split('')) }),
  )
  .map(([s, a, b, junk]) => s.slice(0, a % (s.length + 1)) + junk + s.slice(b % (s.length + 1)));

describe('StraceImporter on shuffled real lines', () => {
  it('emits only valid, ordered events with a tiny hold limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(realMangled, fc.constantFrom(...REAL), fc.constantFrom(...REAL)), {
          maxLength: 100,
        }),
        (lines) => {
          const imp = new StraceImporter({ created: '2026-11-27T00:00:00.000Z', maxHeldEvents: 7 });
          const events = [...imp.push(lines.join('\n'))];
          try {
            events.push(...imp.finish().events);
          } catch (err) {
            expect(err).toBeInstanceOf(StraceImportError);
            return;
          }
          events.forEach((e, i) => {
            validateEvent(JSON.parse(JSON.stringify(e)), i + 2);
            expect(e.seq).toBe(i);
            if (i > 0) expect(e.t).toBeGreaterThanOrEqual(events[i - 1]!.t);
          });
        },
      ),
      { numRuns: 1500 },
    );
  });
});
