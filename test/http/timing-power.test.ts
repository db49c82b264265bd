import { describe } from 'vitest';
import { postgresTier } from '../helpers/env.js';
import { envelopeOffTest, plantedLeakTest } from './timing-suite.js';

/**
 * The timing probe's power, measured beside the probes themselves (the files
 * run side by side, so under the same load): it finds the reset and login
 * leaks with the envelope off on each store, and 50 µs leaks planted before
 * the release and after the reply at the pair count the endpoints get.
 */
const pg = postgresTier();
describe('the timing probe has the power to see a leak (issue 14)', () => {
  envelopeOffTest('pglite');
  if (!pg.skip) envelopeOffTest('postgres', pg.url);
  plantedLeakTest();
});
