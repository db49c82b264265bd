import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { observable, testHush, tokenOf } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';
import { sessionCookieOf } from '../helpers/accounts.js';
import { postgresTier } from '../helpers/env.js';
import { freshPostgres } from '../helpers/postgres.js';
import type { FreshDatabase } from '../helpers/postgres.js';

/**
 * Issue 13, leaks 1 and 2: sign-up proves the mailbox before any password
 * exists. An attacker who signs an address up with a password of their
 * choosing learns nothing from signing in with it afterwards (leak 1), and
 * cannot sign in once the owner confirms the address (leak 2, account
 * pre-hijacking). An identity left unconfirmed with a password (made before
 * sign-up worked this way) is treated like one that has none.
 */
describe('sign-up proves the mailbox before a password exists', () => {
  let t: TestHush;
  beforeAll(async () => {
    t = await testHush();
  });
  afterAll(async () => t.close());

  const mailTo = async (email: string): Promise<number> => (await t.mailbox()).filter((m) => m.to.includes(email)).length;
  const login = (email: string, password: string, ip?: string): Promise<Response> => t.request('/v1/login', { json: { email, password } }, ip);

  it('leak 1: sign-up then sign-in with the attacker\'s password answers the same for an unknown and a registered address, and mails nothing', async () => {
    const registered = 'registered-1@example.com';
    const unknown = 'unknown-1@example.com';
    const now = new Date(t.hush.flows.clock.now());
    await t.hush.store.identities.create({ id: 'registered-1', email: registered, passwordHash: await t.hush.flows.hasher.hash('the owner passphrase'), verifiedAt: now, createdAt: now });
    const attackerPassword = 'attacker chosen passphrase';
    const seen: Record<string, { signup: unknown; login: unknown; mailFromLogin: number }> = {};
    for (const [email, ip] of [
      [registered, '203.0.113.21'],
      [unknown, '203.0.113.22'],
    ] as const) {
      const signup = await observable(await t.request('/v1/signup', { json: { email, password: attackerPassword } }, ip));
      const before = await mailTo(email);
      const res = await observable(await login(email, attackerPassword, ip));
      seen[email] = { signup, login: res, mailFromLogin: (await mailTo(email)) - before };
    }
    expect(seen[unknown]?.login).toMatchObject({ status: 401 });
    expect(JSON.parse((seen[unknown]?.login as { body: string }).body)).toMatchObject({ error: { code: 'HUSH_LOGIN_FAILED' } });
    expect(seen[unknown]).toEqual(seen[registered]);
    expect(seen[unknown]?.mailFromLogin).toBe(0);
    // The sign-up mailed each address once (a link, or "you already have an account"), and that is all.
    expect((await t.mailbox()).filter((m) => m.to.includes(unknown))).toHaveLength(1);
  });

  it('leak 2: an attacker who signs up the victim\'s new address cannot sign in once the victim confirms it; the victim chooses the password', async () => {
    const victim = 'victim-2@example.com';
    const attackerPassword = 'attacker chosen passphrase';
    expect((await t.request('/v1/signup', { json: { email: victim, password: attackerPassword } }, '203.0.113.30')).status).toBe(202);
    // The password sent with the sign-up was not kept: no identity exists until the mailbox is proven.
    expect.soft(await t.hush.store.identities.findByEmail(victim)).toBeNull();

    // The victim opens the mail later and follows the link: signed in, confirmed, no password.
    const verified = await t.request('/v1/verify', { json: { token: tokenOf(await t.linkFor(victim, '/verify#token=')) } }, '198.51.100.31');
    expect(verified.status).toBe(200);
    const cookie = sessionCookieOf(verified);
    expect((await t.request('/v1/session', { headers: { cookie } })).status).toBe(200);
    const identity = await t.hush.store.identities.findByEmail(victim);
    expect(identity?.verifiedAt).not.toBeNull();
    expect.soft(identity?.passwordHash).toBeNull();

    // The attacker's password does not sign in.
    const attempt = await login(victim, attackerPassword, '203.0.113.30');
    expect(attempt.status).toBe(401);
    expect(((await attempt.json()) as { error: { code: string } }).error.code).toBe('HUSH_LOGIN_FAILED');

    // The victim sets a password from the fresh session (no current one) and signs in with it.
    const own = 'the victim own passphrase';
    expect((await t.request('/v1/password', { json: { password: own }, headers: { cookie } }, '198.51.100.31')).status).toBe(200);
    expect((await login(victim, own, '198.51.100.31')).status).toBe(200);
    expect((await login(victim, attackerPassword, '203.0.113.30')).status).toBe(401);
  });

  it('an unconfirmed identity with a password (from before) fails sign-in like an unknown address, and loses the password when confirmed', async () => {
    const legacy = 'legacy-3@example.com';
    const password = 'a legacy passphrase';
    const now = new Date(t.hush.flows.clock.now());
    await t.hush.store.identities.create({ id: 'legacy-3', email: legacy, passwordHash: await t.hush.flows.hasher.hash(password), verifiedAt: null, createdAt: now });

    const before = await mailTo(legacy);
    const known = await observable(await login(legacy, password, '203.0.113.40'));
    const unknown = await observable(await login('nobody-3@example.com', password, '203.0.113.41'));
    expect(known.status).toBe(401);
    expect(unknown).toEqual(known);
    expect((await mailTo(legacy)) - before).toBe(0);

    // Sign-up mails the address a link for that identity; opening it confirms the identity and drops the password.
    expect((await t.request('/v1/signup', { json: { email: legacy } }, '203.0.113.42')).status).toBe(202);
    const verified = await t.request('/v1/verify', { json: { token: tokenOf(await t.linkFor(legacy, '/verify#token=')) } }, '203.0.113.42');
    expect(verified.status).toBe(200);
    const after = await t.hush.store.identities.findByEmail(legacy);
    expect(after?.id).toBe('legacy-3');
    expect(after?.verifiedAt).not.toBeNull();
    expect(after?.passwordHash).toBeNull();
    expect((await login(legacy, password, '203.0.113.42')).status).toBe(401);
    // Its owner chooses a new one from the fresh session.
    expect((await t.request('/v1/password', { json: { password: 'the legacy owner new one' }, headers: { cookie: sessionCookieOf(verified) } })).status).toBe(200);
    expect((await login(legacy, 'the legacy owner new one', '203.0.113.42')).status).toBe(200);
  });

  it('sign-up takes the address alone: a password sent by an old client is neither checked nor stored', async () => {
    // Too short, and one of the most common: once a 400, now ignored like any other password.
    const res = await t.request('/v1/signup', { json: { email: 'old-client-4@example.com', password: 'short' } }, '203.0.113.50');
    expect(res.status).toBe(202);
    expect(await t.hush.store.identities.findByEmail('old-client-4@example.com')).toBeNull();
    expect(await t.linkFor('old-client-4@example.com', '/verify#token=')).toMatch(/^https:\/\/id\.example\.test\/verify#token=/);
  });
});

/**
 * Two requests that both create the identity of one new address (two
 * verification links spent at once, or a verification and a magic link):
 * one insert wins, the other confirms what it made, and nothing is a 500.
 * On PostgreSQL when HUSH_TEST_DATABASE_URL is set (where the transactions
 * really overlap), on the embedded store otherwise.
 */
describe('verify under an insert race', () => {
  const pg = postgresTier();
  let t: TestHush;
  let fresh: FreshDatabase | undefined;
  let database: DatabaseHandle | undefined;
  beforeAll(async () => {
    if (!pg.skip) {
      fresh = await freshPostgres(pg.url ?? '');
      database = await openDatabase({ databaseUrl: fresh.url, dataDir: '/nonexistent', poolSize: 10 });
    }
    t = await testHush({ HUSH_LIMIT_CONFIRM_ADDRESS: '1000/1m' }, database ? { database } : {});
  });
  afterAll(async () => {
    await t.close();
    await fresh?.drop();
  });

  /** A live token bound to a new address, stored as the flows store them. */
  const tokenFor = async (purpose: 'verify' | 'magic', email: string): Promise<string> => {
    const { token, hash } = t.hush.flows.tokens.mint();
    const now = t.hush.flows.clock.now();
    await t.hush.store.tokens.insert({ hash, purpose, identityId: null, identifier: email, createdAt: new Date(now), expiresAt: new Date(now + 3_600_000) });
    return token;
  };

  it(`two verifications, or a verification and a magic link, at once: one identity, no 500 (${pg.skip ? `embedded store; PostgreSQL skipped: ${pg.reason}` : 'PostgreSQL'})`, async () => {
    for (let i = 0; i < 12; i++) {
      const email = `race-${i}@example.com`;
      const other = i % 2 === 0 ? (['verify', '/v1/verify'] as const) : (['magic', '/v1/magic-link/confirm'] as const);
      const [a, b] = [await tokenFor('verify', email), await tokenFor(other[0], email)];
      const [ra, rb] = await Promise.all([t.request('/v1/verify', { json: { token: a } }), t.request(other[1], { json: { token: b } })]);
      // A verification always signs in: it confirms the identity whichever request created it.
      expect(ra.status, email).toBe(200);
      expect([200, 400], email).toContain(rb.status);
      if (other[0] === 'verify') expect(rb.status, email).toBe(200);
      const identity = await t.hush.store.identities.findByEmail(email);
      expect(identity?.verifiedAt).not.toBeNull();
      expect(identity?.passwordHash).toBeNull();
    }
    expect(await t.hush.store.identities.count()).toBe(12);
  });
});
