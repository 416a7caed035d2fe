import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { computeStats, decodeRecording } from '@loopscope/trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loopscope-echo-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Sends `rounds` messages of `size` bytes, each after the previous one came back whole. */
function echoRounds(port: number, rounds: number, size: number): Promise<number> {
  return new Promise((done, fail) => {
    const sock = connect({ port, host: '127.0.0.1' });
    let got = 0;
    let left = rounds;
    let received = 0;
    const send = () => sock.write(Buffer.alloc(size, left % 251));
    sock.on('connect', send);
    sock.on('error', fail);
    sock.on('data', (chunk) => {
      got += chunk.length;
      received += chunk.length;
      if (got < size) return;
      got = 0;
      if (--left > 0) send();
      else sock.end();
    });
    sock.on('close', () => done(received));
  });
}

describe('loopscope echo --record', () => {
  it('serves clients, and on SIGINT writes a complete recording of every request (through spill files)', async () => {
    const out = join(dir, 'echo.ndjson');
    const child = spawn(
      'node',
      [
        '--import',
        'tsx',
        'apps/server/src/cli.ts',
        'echo',
        '--listen',
        'tcp://127.0.0.1:0',
        '--loops',
        '2',
        '--record',
        out,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (b) => {
      stdout += b;
    });
    const port = await new Promise<number>((done, fail) => {
      const timer = setInterval(() => {
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
        if (m) {
          clearInterval(timer);
          done(Number(m[1]));
        }
      }, 20);
      child.once('exit', (code) => fail(new Error(`echo exited early (${code}): ${stdout}`)));
    });
    const received = await Promise.all([1, 2, 3].map(() => echoRounds(port, 40, 100)));
    expect(received).toEqual([4000, 4000, 4000]);
    // While the server runs, its records go to a private spill directory next to the recording.
    expect((await readdir(dir)).filter((f) => f.startsWith('.loopscope-spill-'))).toHaveLength(1);
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/stopping; writing the recording to /);
    expect(stdout).toMatch(/recorded \d+ events to .*echo\.ndjson \(stop and write took \d+\.\d s\)/);
    expect(await readdir(dir)).toEqual(['echo.ndjson']); // the spill files are gone

    const rec = decodeRecording(await readFile(out, 'utf8'));
    expect(rec.error).toBeNull();
    expect(rec.complete).toBe(true);
    expect(rec.header?.loops).toBe(2);
    const stats = computeStats(rec.header, rec.events);
    expect(stats.complete).toBe(true);
    expect(stats.requests).toBe(120);
    expect(stats.bytesWritten).toBe(12_000);
    expect(rec.events.map((e) => e.seq)).toEqual(rec.events.map((_, i) => i));
    for (let i = 1; i < rec.events.length; i++)
      expect(rec.events[i]!.t).toBeGreaterThanOrEqual(rec.events[i - 1]!.t);
  });
});
