import { describe } from 'vitest';
import { postgresTier } from '../helpers/env.js';
import { timingSuite } from './timing-suite.js';

/** The attacker's timing probe (issue 14) of the token endpoints on PostgreSQL: test/http/timing-suite.ts says what is measured. */
const pg = postgresTier();
if (pg.skip) describe.skip(`timing on postgres: ${pg.reason}`, () => undefined);
else timingSuite('postgres', 'token', pg.url);
