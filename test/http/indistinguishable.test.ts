import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { testHush, observable } from '../helpers/hush.js';
import { createAccount } from '../helpers/accounts.js';
import type { TestHush } from '../helpers/hush.js';
import { ManualClock } from '../../src/kernel/clock.js';

/**
 * design.md §4.1: for every account-touching endpoint, an existing and an
 * unknown identifier (and, for token endpoints, an unknown and a spent token)
 * get byte-identical status, headers (bar Date) and body.
 */
describe('replies do not depend on account existence', () => {
  let t: TestHush;
  let n = 0;
  const fresh = (): string => `nobody-${++n}-${Date.now()}@example.com`;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    t = await testHush({ HUSH_LIMITS: 'off' }, { clock });
    await createAccount(t, 'known@example.com', 'known passphrase');
    // Pending: signed up, link not yet opened (no identity yet, a live token bound to the address).
    await t.request('/v1/signup', { json: { email: 'pending@example.com', password: 'pending passphrase' } });
    // Legacy pending: an unconfirmed identity with a password, from before sign-up proved the mailbox first.
    const at = new Date(clock.now());
    await t.hush.store.identities.create({ id: 'legacy-pending', email: 'legacy@example.com', passwordHash: await t.hush.flows.hasher.hash('not the password'), verifiedAt: null, createdAt: at });
  });
  afterAll(async () => t.close());

  const same = async (path: string, a: unknown, b: unknown): Promise<void> => {
    const ra = await observable(await t.request(path, { json: a }));
    const rb = await observable(await t.request(path, { json: b }));
    expect(ra).toEqual(rb);
    expect(ra.status).toBeLessThan(500);
  };

  it.each([
    ['/v1/signup', (email: string) => ({ email, password: 'some fresh passphrase' })],
    ['/v1/login', (email: string) => ({ email, password: 'not the password' })],
    ['/v1/recovery', (email: string) => ({ email })],
    ['/v1/magic-link', (email: string) => ({ email })],
  ] as const)('%s: existing, pending and unknown addresses get the same reply', async (path, body) => {
    await same(path, body('known@example.com'), body(fresh()));
    await same(path, body('pending@example.com'), body(fresh()));
    // Its own password (the login body's) included: an unconfirmed identity fails like an unknown address.
    await same(path, body('legacy@example.com'), body(fresh()));
    await same(path, body('KNOWN@example.com '), body(fresh()));
  });

  const spentToken = async (purpose: 'verify' | 'recovery' | 'magic'): Promise<string> => {
    const id = (await t.hush.store.identities.findByEmail('known@example.com'))?.id ?? '';
    const token = await t.hush.flows.tokens.issue(t.hush.store.tokens, purpose, { identityId: id }, 60_000);
    expect(await t.hush.flows.tokens.consume(t.hush.store.tokens, token, purpose)).not.toBeNull();
    return token;
  };
  const expiredToken = async (purpose: 'verify' | 'recovery' | 'magic'): Promise<string> => {
    const id = (await t.hush.store.identities.findByEmail('known@example.com'))?.id ?? '';
    const token = await t.hush.flows.tokens.issue(t.hush.store.tokens, purpose, { identityId: id }, 60_000);
    clock.advance(60_001);
    return token;
  };
  const unknownToken = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');

  it.each([
    ['/v1/verify', 'verify', (token: string) => ({ token })],
    ['/v1/recovery/confirm', 'recovery', (token: string) => ({ token, password: 'a good new passphrase' })],
    ['/v1/magic-link/confirm', 'magic', (token: string) => ({ token })],
  ] as const)('%s: unknown, spent, expired, wrong-purpose and malformed tokens get the same reply', async (path, purpose, body) => {
    const wrongPurpose = await t.hush.flows.tokens.issue(t.hush.store.tokens, purpose === 'recovery' ? 'magic' : 'recovery', { identifier: 'x@example.com' }, 60_000);
    const reference = await observable(await t.request(path, { json: body(unknownToken()) }));
    expect(reference.status).toBe(400);
    for (const token of [await spentToken(purpose), await expiredToken(purpose), wrongPurpose, 'short', `${unknownToken()}x`]) {
      expect(await observable(await t.request(path, { json: body(token) }))).toEqual(reference);
    }
  });

  // Arbitrary bodies: whatever else is sent, swapping a known address for an unknown one changes nothing.
  const extraFields = fc.dictionary(fc.string({ maxLength: 12 }).filter((k) => k !== 'email' && k !== '__proto__'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
  const passwordish = fc.oneof(fc.string({ maxLength: 40 }), fc.constant('not the password'), fc.integer(), fc.constant(null));

  it.each(['/v1/signup', '/v1/login', '/v1/recovery', '/v1/magic-link'])('%s: property over arbitrary bodies: never a 5xx, never a difference', async (path) => {
    await fc.assert(
      fc.asyncProperty(extraFields, passwordish, async (extra, password) => {
        const base = { ...extra, password };
        await same(path, { ...base, email: 'known@example.com' }, { ...base, email: fresh() });
      }),
      { numRuns: 40 },
    );
  });

  it.each(['/v1/signup', '/v1/login', '/v1/recovery', '/v1/magic-link', '/v1/verify', '/v1/recovery/confirm', '/v1/magic-link/confirm', '/v1/password'])(
    '%s: arbitrary bytes and content types give a clear 4xx, never a 5xx',
    async (path) => {
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 200 }), fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', '', 'application/json; charset=utf-8'), async (raw, type) => {
          const res = await t.request(path, { method: 'POST', body: raw, headers: type === '' ? {} : { 'content-type': type } });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^HUSH_/);
        }),
        { numRuns: 40 },
      );
    },
  );

  it('bodies over 16 KiB get 413, malformed JSON 400, other types 415', async () => {
    const big = await t.request('/v1/recovery', { json: { email: 'a@example.com', pad: 'x'.repeat(17_000) } });
    expect(big.status).toBe(413);
    const bad = await t.request('/v1/recovery', { method: 'POST', body: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    const xml = await t.request('/v1/recovery', { method: 'POST', body: '<a/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.status).toBe(415);
  });

  it('validation errors name the field and come before any lookup', async () => {
    // The new password of a reset is checked before the token is looked up.
    const res = await t.request('/v1/recovery/confirm', { json: { token: unknownToken(), password: 'short' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'HUSH_VALIDATION', message: 'The request is not valid.', details: [{ field: 'password', reason: 'must be at least 8 characters' }] } });
    // Sign-up takes no password (it is chosen after the mailbox is proven): one an old client sends is ignored, never refused.
    expect((await t.request('/v1/signup', { json: { email: 'known@example.com', password: 'short' } })).status).toBe(202);
    const email = await t.request('/v1/recovery', { json: { email: 'not-an-email' } });
    expect(((await email.json()) as { error: { details: unknown } }).error.details).toEqual([{ field: 'email', reason: 'is not an email address' }]);
  });
});
