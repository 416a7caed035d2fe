/**
 * Where the server finds things on disk: the repository root, the built web app and the default
 * data folder. Found from this file's location, so the CLI works from any working directory.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root: the nearest ancestor holding `pnpm-workspace.yaml`. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    // Reached the filesystem root: fall back to three levels above apps/server/src.
    if (up === dir) return resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
    dir = up;
  }
}

/** The web app as built by Vite. */
export function webDistDir(): string {
  return join(repoRoot(), 'apps', 'web', 'dist');
}

/** The data folder: `--data`, else `LOOPSCOPE_DATA`, else `<repo>/data/recordings`. */
export function dataDir(flag?: string): string {
  if (flag) return resolve(flag);
  const env = process.env.LOOPSCOPE_DATA;
  if (env) return resolve(env);
  return join(repoRoot(), 'data', 'recordings');
}

/** The file of one of the engine's example handler modules (`echo`, `http`, `redis`). */
export function handlerModulePath(name: string): string {
  return join(repoRoot(), 'packages', 'engine', 'src', 'handlers', `${name}.ts`);
}
