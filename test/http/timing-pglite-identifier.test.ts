import { timingSuite } from './timing-suite.js';

/** The attacker's timing probe (issue 14) of the identifier endpoints on the embedded store: test/http/timing-suite.ts says what is measured. */
timingSuite('pglite', 'identifier');
