/**
 * evio fact (spec §2.10, §3.2 claim 2): a Wake whose Data(c, nil) returns output while output is
 * still pending replaces it, losing exactly the unsent tail. `fixed-wake` mode appends instead.
 */
import { computeStats } from '@loopscope/trace';
import { describe, expect, it } from 'vitest';
import type { ModeName } from '../../src/core/modes';
import { connect } from './clients';
import {
  acceptOf,
  fixture,
  ofConn,
  ofKind,
  readToEnd,
  sha256,
  sharedBlob,
  sleep,
  traced,
  waitFor,
} from './facts-helpers';

const TOTAL = 16 << 20;
const WAKE = 'WAKE\n';

describe('evio facts: Wake while output is pending', () => {
  const blob = sharedBlob(TOTAL);

  it.each(['evio', 'fixed-wake'] as ModeName[])('%s mode', async (mode) => {
    const { server, events } = await traced({
      mode,
      handler: {
        module: fixture('facts-blob'),
        params: { blob: blob.sab, wakeReply: WAKE, wakeClose: true },
      },
    });
    const c = await connect(server.addrs[0]!);
    const { fd, gen } = await acceptOf(events, c);
    c.pause();
    c.write('go');
    await waitFor(events, 'write', (e) => e.fd === fd && e.gen === gen && e.result === 'partial');
    await sleep(50);
    server.wake(fd, gen);
    await waitFor(events, 'handler', (e) => e.handler === 'wake' && e.fd === fd && e.gen === gen);
    const received = readToEnd(c);
    c.resume();
    const got = await received;
    await waitFor(events, 'close', (e) => e.fd === fd && e.gen === gen);
    await server.stop();

    const mine = ofConn(events, fd, gen);
    const overwrites = ofKind(mine, 'overwrite');
    const stats = computeStats(null, events);
    expect(got.subarray(got.length - WAKE.length).toString()).toBe(WAKE);
    const prefix = got.subarray(0, got.length - WAKE.length);
    expect(sha256(prefix)).toBe(sha256(blob.view.subarray(0, prefix.length)));
    if (mode === 'fixed-wake') {
      expect(overwrites).toEqual([]);
      expect(prefix.length).toBe(TOTAL);
      expect(stats.outputBytesOverwritten).toBe(0);
      return;
    }
    expect(overwrites).toHaveLength(1);
    const { lost, path } = overwrites[0]!;
    const pendingThen = ofKind(mine, 'out', (e) => e.seq < overwrites[0]!.seq).at(-1)!.pending;
    expect(path).toBe('wake');
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBe(pendingThen);
    expect(lost).toBe(TOTAL - prefix.length);
    expect(stats.outputBytesOverwritten).toBe(lost);
  });
});
