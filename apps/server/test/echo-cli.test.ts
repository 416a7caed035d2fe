import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

/** Starts `loopscope echo` with `args`; resolves with the child and its port once it listens. */
async function startEcho(args: string[]) {
  const child = spawn('node', ['--import', 'tsx', 'apps/server/src/cli.ts', 'echo', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  return { child, port, stdout: () => stdout };
}

/** Sends `blocks` random blocks of `size` bytes at once and resolves with what came back. */
function echoBlocks(port: number, blocks: number, size: number): Promise<{ sent: Buffer; got: Buffer }> {
  return new Promise((done, fail) => {
    const sent = randomBytes(blocks * size);
    const parts: Buffer[] = [];
    let got = 0;
    const sock = connect({ port, host: '127.0.0.1' }, () => {
      for (let i = 0; i < blocks; i++) sock.write(sent.subarray(i * size, (i + 1) * size));
    });
    sock.on('error', fail);
    sock.on('data', (chunk) => {
      parts.push(chunk);
      got += chunk.length;
      if (got >= sent.length) sock.end();
    });
    sock.on('close', () => done({ sent, got: Buffer.concat(parts) }));
  });
}

describe('loopscope echo --reuse-input', () => {
  it.each(['evio', 'direct-write'])(
    'echoes byte for byte in %s mode while Data reads the loop buffer in place',
    async (mode) => {
      const { child, port } = await startEcho([
        '--listen',
        'tcp://127.0.0.1:0',
        '--mode',
        mode,
        '--reuse-input',
      ]);
      try {
        // 4 MiB sent at once: many reads and partial writes, each input a view of the same buffer.
        const results = await Promise.all([1, 2].map(() => echoBlocks(port, 16, 256 * 1024)));
        for (const { sent, got } of results) {
          expect(got.length).toBe(sent.length);
          expect(got.equals(sent)).toBe(true);
        }
      } finally {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGINT');
        await exited;
      }
    },
  );

  it('is refused for a handler that keeps its input', () => {
    const r = spawnSync(
      'node',
      [
        '--import',
        'tsx',
        'apps/server/src/cli.ts',
        'echo',
        '--listen',
        'tcp://127.0.0.1:0',
        '--handler',
        'redis',
        '--reuse-input',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      '--reuse-input is for the echo handler only (the redis handler keeps its input)',
    );
  });
});

describe('loopscope echo --record', () => {
  it('serves clients, and on SIGINT writes a complete recording of every request (through spill files)', async () => {
    const out = join(dir, 'echo.ndjson');
    const { child, port, stdout } = await startEcho([
      '--listen',
      'tcp://127.0.0.1:0',
      '--loops',
      '2',
      '--record',
      out,
    ]);
    const received = await Promise.all([1, 2, 3].map(() => echoRounds(port, 40, 100)));
    expect(received).toEqual([4000, 4000, 4000]);
    // While the server runs, its records go to a private spill directory next to the recording.
    expect((await readdir(dir)).filter((f) => f.startsWith('.loopscope-spill-'))).toHaveLength(1);
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout()).toMatch(/stopping; writing the recording to /);
    expect(stdout()).toMatch(/recorded \d+ events to .*echo\.ndjson \(stop and write took \d+\.\d s\)/);
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
