import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'connector/**/*.test.ts', 'queue/**/*.test.ts', 'salesforce/**/*.test.ts', 'zendesk-app/test/**/*.test.tsx'],
    pool: 'forks',
    // Integration suites each use their own schema / Redis prefix, so files may run in parallel.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Component tests (jsdom) need matchMedia; harmless elsewhere.
    setupFiles: ['zendesk-app/test/setup.ts'],
  },
});
