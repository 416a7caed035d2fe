/** `loopscope replay <recording>`: checks a recording, puts it in the data folder, serves it. */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { RecordingDecoder } from '@loopscope/trace';
import type { Command } from 'commander';
import { checkName, RecordingsStore } from '../http/recordings-store';
import { dataDir } from '../paths';
import { replayPath, runServer, type ServerFlags, withServerOptions } from './server-options';

/** Registers `replay`. */
export function registerReplay(program: Command): void {
  withServerOptions(
    program
      .command('replay')
      .description('start the server with a recording opened for replay')
      .argument('<recording>', 'an NDJSON recording'),
  ).action(async (file: string, flags: ServerFlags) => {
    const name = await prepareReplay(file, flags.data);
    await runServer(flags, replayPath(name));
  });
}

/**
 * Validates a recording file and makes it available in the data folder (linked or copied under
 * a safe name); returns its name there. @throws Error naming the bad line
 */
export async function prepareReplay(file: string, dataFlag?: string): Promise<string> {
  const s = await stat(file).catch(() => null);
  if (!s?.isFile()) throw new Error(`${file}: no such recording file`);
  const decoder = new RecordingDecoder({ source: basename(file), onEvents: () => undefined });
  for await (const chunk of createReadStream(file)) decoder.push(chunk as Buffer);
  decoder.end();
  const store = new RecordingsStore(dataDir(dataFlag));
  const real = await realpath(file);
  const dir = await realpath(store.dir).catch(() => store.dir);
  if (dirname(real) === dir) return checkName(basename(real));
  return store.adopt(real, await freeName(store, safeName(basename(file)), s.size));
}

/** A file name turned into a valid recording name. */
export function safeName(name: string): string {
  const base = name
    .replace(/\.ndjson$/i, '')
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.]+/, '');
  return `${(base || 'recording').slice(0, 180)}.ndjson`;
}

async function freeName(store: RecordingsStore, name: string, size: number): Promise<string> {
  for (let i = 1; i < 1000; i++) {
    const candidate = i === 1 ? name : name.replace(/\.ndjson$/, `-${i}.ndjson`);
    const existing = await stat(store.path(candidate)).catch(() => null);
    // Same name and size: the same recording was adopted before; reuse it.
    if (!existing || existing.size === size) return candidate;
  }
  throw new Error(`no free name for ${name} in ${store.dir}`);
}
