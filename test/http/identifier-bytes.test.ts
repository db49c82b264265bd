import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observable, testHush } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';

/**
 * An identifier is refused from its characters alone, before any guard or
 * query (issue 13, leak 5): a NUL byte used to reach PostgreSQL, which
 * refused it with a 500, while under a silent verdict the same request got
 * the flow's normal reply. The probe told an attacker whether it was being
 * silently limited or blocked. Now it is the same 400 under every verdict.
 */
const ENDPOINTS: [string, Record<string, string>][] = [
  ['/v1/recovery', {}],
  ['/v1/login', { password: 'some long passphrase' }],
  ['/v1/magic-link', {}],
  ['/v1/signup', { password: 'some long passphrase' }],
];
const BAD = ['a\u0000b@example.com', 'ann\u0007@example.com', 'ann\ud800@example.com'];

describe('identifiers with control characters or broken characters', () => {
  let t: TestHush;
  beforeAll(async () => {
    t = await testHush();
  });
  afterAll(() => t.close());

  it('get one 400 naming the field, whether the client passes the guards or is silently blocked', async () => {
    const open = '198.51.100.31';
    const blocked = '198.51.100.32';
    await t.hush.guards.blockIp({ cidr: blocked, durationMs: 3_600_000, reason: 'test', source: 'test' });
    for (const [path, extra] of ENDPOINTS) {
      for (const email of BAD) {
        const passed = await observable(await t.request(path, { json: { email, ...extra } }, open));
        const silenced = await observable(await t.request(path, { json: { email, ...extra } }, blocked));
        expect(passed.status, `${path} ${JSON.stringify(email)}`).toBe(400);
        expect(JSON.parse(passed.body).error).toMatchObject({ code: 'HUSH_VALIDATION', details: [{ field: 'email' }] });
        expect(silenced, `${path} ${JSON.stringify(email)}`).toEqual(passed);
      }
    }
  });
});
