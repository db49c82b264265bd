import { defineConfig } from 'vitest/config';

/**
 * Two groups: the suite, files in parallel; then the timing tests without
 * the rest of the suite loading the machine while they measure. Two workers
 * on the two cores here for the suite: most files wait on sockets, floors
 * and databases more than they compute. The timing files (a store and a
 * group of endpoints each, and the probe's power) three at a time: each is one
 * sequential probe that mostly waits out floors, and
 * test/http/timing-suite.ts says why running them side by side is fair.
 */
const TIMING = ['test/http/timing-*.test.ts'];

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
        test: { name: 'timing', include: TIMING, maxWorkers: 3, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
