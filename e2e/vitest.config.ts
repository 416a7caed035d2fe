import { defineConfig } from 'vitest/config';

// End-to-end: the real server (started from the CLI, as the README does) and Debian's Chromium.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['tests/**/*.e2e.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
