import { defineConfig } from 'vitest/config';

// koffi declares named types per thread, and a loop thread blocked in a foreign call cannot be
// terminated: run test files in child processes, not in reused worker threads.
export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.tsx',
    ],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
