import { defineConfig } from 'vitest/config';

/**
 * Two groups: the suite, files in parallel; then the timing tests without
 * the rest of the suite loading the machine while they measure (one file
 * per store, side by side: test/http/timing-suite.ts says why that is fair).
 * Two workers on the two cores here: most files wait on sockets, floors and
 * databases more than they compute.
 */
const TIMING = ['test/http/timing-pglite.test.ts', 'test/http/timing-postgres.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts', 'test/**/*.test.tsx'], exclude: TIMING, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'timing', include: TIMING, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
