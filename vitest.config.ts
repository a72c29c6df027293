import { defineConfig } from 'vitest/config';

// Where the tests live; each project picks its files by name.
const roots = ['test', 'connector', 'queue', 'salesforce', 'zendesk-app/test'];
const named = (kinds: string[]) => roots.flatMap((root) => kinds.map((kind) => `${root}/**/*.${kind}.test.{ts,tsx}`));

export default defineConfig({
  test: {
    pool: 'forks',
    // Integration suites each use their own schema / Redis prefix, so files may run in parallel.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        // No database, Redis, browser or network: `npm run test:unit` runs without any service.
        test: {
          name: 'unit',
          include: named(['unit']),
          // Component tests (jsdom) need matchMedia; harmless elsewhere.
          setupFiles: ['zendesk-app/test/setup.ts'],
        },
      },
      {
        extends: true,
        // Real PostgreSQL, PGlite and Redis; the browser suite drives Chromium.
        test: {
          name: 'integration',
          include: named(['integration', 'browser']),
          // jsforce's own undici fetch, routed through node:http so that nock sees Salesforce calls.
          setupFiles: ['test/support/jsforce-over-node-http.ts'],
        },
      },
    ],
  },
});
