import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, HushError } from '../../../src/kernel/errors.js';

/** One registry of error codes, documented: code and docs agree in both directions (after Fastify). */
describe('error registry', () => {
  const docs = readFileSync('docs/errors.md', 'utf8');
  const documented = new Set([...docs.matchAll(/^\| `(HUSH_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => `${m[1]}:${m[2]}`));

  it('every code is documented with its status', () => {
    for (const [code, { status }] of Object.entries(ERROR_CODES)) expect(documented, code).toContain(`${code}:${status}`);
  });

  it('no documented code is missing from the registry', () => {
    for (const entry of documented) {
      const [code] = entry.split(':');
      expect(Object.keys(ERROR_CODES), entry).toContain(code);
    }
  });

  it('serialises to the public shape, never with a cause or a stack', () => {
    const e = new HushError('HUSH_VALIDATION', { details: [{ field: 'email', reason: 'is required' }], cause: new Error('secret inner') });
    expect(JSON.stringify(e.toJSON())).toBe('{"error":{"code":"HUSH_VALIDATION","message":"The request is not valid.","details":[{"field":"email","reason":"is required"}]}}');
  });
});
