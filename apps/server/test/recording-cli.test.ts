import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURE = 'packages/trace/test/fixtures/evio-echo.ndjson';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `loopscope ...args` as the root script does, from the repository root. */
function cli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      'node',
      ['--import', 'tsx', 'apps/server/src/cli.ts', ...args],
      { cwd: ROOT },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        done({ code, stdout, stderr });
      },
    );
  });
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loopscope-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loopscope validate', () => {
  it('exits 0 with a one-line summary for a valid recording', async () => {
    const r = await cli('validate', FIXTURE);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${FIXTURE}: ok: 52 events, 1 loop, mode evio, source hand, complete\n`);
  });

  it('exits 1 with file:line: error on stderr for a bad recording', async () => {
    const text = await readFile(join(ROOT, FIXTURE), 'utf8');
    const bad = join(dir, 'bad.ndjson');
    const lines = text.split('\n');
    lines[10] = lines[10]!.replace('"gen":0', '"gen":"x"');
    await writeFile(bad, lines.join('\n'));
    const r = await cli('validate', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${bad}:11: field "gen": expected a non-negative integer or null, got "x"\n`);
  });

  it('exits 1 on a missing file', async () => {
    const r = await cli('validate', join(dir, 'none.ndjson'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ENOENT/);
  });
});

describe('loopscope stats', () => {
  it('prints the numbers as JSON', async () => {
    const r = await cli('stats', FIXTURE, '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(s).toMatchObject({
      events: 52,
      requests: 2,
      ctlModPerRequest: 2,
      syscallsPerRequest: 12,
      complete: true,
    });
  });

  it('prints an aligned table', async () => {
    const r = await cli('stats', FIXTURE);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('ctl MOD per request           2');
    expect(lines).toContain('syscalls per request          12');
    // Every value of the first table starts in the same column.
    const first = lines.slice(0, lines.indexOf(''));
    expect(new Set(first.map((l) => l.search(/ {2}\S/) + 2)).size).toBe(1);
  });
});

describe('loopscope export', () => {
  it('writes Perfetto JSON', async () => {
    const out = join(dir, 'trace.json');
    const r = await cli('export', '--perfetto', FIXTURE, out);
    expect(r.code).toBe(0);
    const doc = JSON.parse(await readFile(out, 'utf8')) as { traceEvents: unknown[] };
    expect(doc.traceEvents.length).toBeGreaterThan(52);
  });

  it('refuses without a format, and leaves no file behind for a bad recording', async () => {
    expect((await cli('export', FIXTURE, join(dir, 'x.json'))).code).toBe(1);
    const bad = join(dir, 'cut.ndjson');
    await writeFile(bad, (await readFile(join(ROOT, FIXTURE), 'utf8')).slice(0, 2000));
    const out = join(dir, 'cut.json');
    const r = await cli('export', '--perfetto', bad, out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cut\.ndjson:\d+: the last line has no newline/);
    await expect(stat(out)).rejects.toThrow(/ENOENT/);
  });

  it('documents each command in --help', async () => {
    const r = await cli('export', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--perfetto/);
    expect(r.stdout).toMatch(/ui\.perfetto\.dev/);
  });
});
