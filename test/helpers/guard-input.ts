import type { GuardInput } from '../../src/core/guarding.js';

/**
 * What a flow hands the guards, for tests: a recovery request for one known
 * identifier from one documentation address, no fields. A test states only
 * what its case changes.
 */
export function guardInput(over: Partial<GuardInput> = {}): GuardInput {
  return { action: 'recovery', address: '203.0.113.7', identifier: 'alice@example.com', fields: {}, ...over };
}
