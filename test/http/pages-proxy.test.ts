import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountEvent } from '../../src/core/event.js';
import { testHush } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';

/**
 * Behind a trusted proxy, a form posted to a hosted page counts against the
 * client's address, exactly as the same flow over the JSON API does: the
 * pages call core's guarded-flow runner with the address worked out once per
 * request, never a second request that has only the proxy's address. Without
 * that, every visitor without JavaScript shares the proxy's bucket (one can
 * lock out the rest) and a blocked client escapes its block by posting the form.
 */
const ORIGIN = 'http://localhost:8080';
const SAME = { Origin: ORIGIN, 'Sec-Fetch-Site': 'same-origin' };
const PROXY = '10.0.0.5';
const A = '203.0.113.10';
const B = '203.0.113.20';

describe('hosted pages behind HUSH_TRUST_PROXY', () => {
  let t: TestHush;

  beforeAll(async () => {
    t = await testHush({ HUSH_ORIGIN: ORIGIN, HUSH_TRUST_PROXY: `${PROXY}/32`, HUSH_LIMIT_LOGIN_ADDRESS: '3/15m' });
  });
  afterAll(() => t.close());

  /** A form post through the proxy, for the client at `client`. */
  const post = (path: string, fields: Record<string, string>, client: string, userAgent = 'test-browser/1'): Promise<Response> =>
    t.request(path, { form: fields, headers: { ...SAME, 'X-Forwarded-For': client, 'User-Agent': userAgent }, redirect: 'manual' }, PROXY);

  const events = async (): Promise<AccountEvent[]> => {
    const rows = await t.hush.database.db.selectFrom('outbox').select(['payload']).where('kind', '=', 'event').orderBy('created_at').execute();
    return rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as AccountEvent);
  };

  it('a login form throttles the client that failed, not everyone behind the proxy', async () => {
    for (let i = 0; i < 3; i++) expect((await post('/login', { email: `nobody${i}@example.com`, password: 'wrong password' }, A)).status).toBe(401);
    const throttled = await post('/login', { email: 'nobody9@example.com', password: 'wrong password' }, A);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another visitor behind the same proxy still gets the normal failure.
    expect((await post('/login', { email: 'nobody0@example.com', password: 'wrong password' }, B)).status).toBe(401);
    const failures = (await events()).filter((e) => e.name === 'users.login.failure');
    expect(failures.map((e) => e['network.client.ip'])).toEqual([A, A, A, B]);
  });

  it('a blocked client stays blocked when it posts the form, and its guard event names it and its user agent', async () => {
    await t.hush.guards.blockIp({ cidr: A, durationMs: 3_600_000, reason: 'test', source: 'test' });
    const blocked = await post('/forgot', { email: 'someone@example.com' }, A, 'blocked-browser/2');
    const open = await post('/forgot', { email: 'someone@example.com' }, B);
    // Silent: the blocked client sees the page everyone sees.
    expect(blocked.status).toBe(open.status);
    const all = await events();
    expect(all.filter((e) => e.name === 'hush.guard.blocked').map((e) => [e['network.client.ip'], e['http.useragent']])).toEqual([[A, 'blocked-browser/2']]);
    expect(all.filter((e) => e.name === 'users.password_reset').map((e) => e['network.client.ip'])).toEqual([B]);
  });
});
