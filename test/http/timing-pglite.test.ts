import { plantedLeakTest, timingSuite } from './timing-suite.js';

/**
 * The attacker's timing probe (issue 14) on the embedded store, and the proof
 * of its power (a planted 50 µs leak). test/http/timing-suite.ts says what is
 * measured; timing-postgres.test.ts runs the same on PostgreSQL, side by side.
 */
timingSuite('pglite');
plantedLeakTest();
