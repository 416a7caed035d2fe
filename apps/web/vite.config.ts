import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const coreDir = resolve(here, '../../packages/engine/src/core');
/** The loop's files shown in the code pane: the dispatch, then its branches. */
const LOOP_FILES = ['loop.ts', 'loop-branches.ts'];
const LOOP_SOURCE_ID = 'virtual:loop-source';

/**
 * Serves the text of the engine's loop files as `virtual:loop-source` (file name -> text) for
 * the code pane. A virtual module (not `?raw` on a path) keeps the build working if a file is
 * missing or renamed; the pane then says the source is unavailable.
 */
function loopSource(): Plugin {
  return {
    name: 'loopscope-loop-source',
    resolveId(id) {
      return id === LOOP_SOURCE_ID ? `\0${LOOP_SOURCE_ID}` : null;
    },
    load(id) {
      if (id !== `\0${LOOP_SOURCE_ID}`) return null;
      const files: Record<string, string> = {};
      for (const name of LOOP_FILES) {
        const path = resolve(coreDir, name);
        if (!existsSync(path)) continue;
        this.addWatchFile(path);
        files[name] = readFileSync(path, 'utf8');
      }
      return `export default ${JSON.stringify(files)};`;
    },
  };
}

const server = process.env.LOOPSCOPE_SERVER ?? 'http://127.0.0.1:7420';

export default defineConfig({
  plugins: [react(), loopSource()],
  server: {
    proxy: {
      '/api': server,
      '/ws': { target: server.replace(/^http/, 'ws'), ws: true },
    },
  },
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 1200 },
});
