import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testHush, tokenOf } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';
import { createAccount } from '../helpers/accounts.js';

/** The whole life of an account through the JSON API, reading mail from the dev mailbox. */
describe('account journey', () => {
  let t: TestHush;
  beforeAll(async () => {
    t = await testHush();
  });
  afterAll(async () => t.close());

  const cookieOf = (res: Response): string => {
    const c = res.headers.get('set-cookie') ?? '';
    expect(c).toMatch(/^__Host-hush_session=[^;]+; .*HttpOnly/);
    expect(c).toMatch(/Secure/);
    expect(c).toMatch(/SameSite=Lax/);
    return c.split(';')[0] ?? '';
  };

  it('signs up, verifies, signs in, changes and resets the password, and uses a magic link', async () => {
    const pw1 = 'correct horse battery';
    // Sign-up takes the address alone: the password is chosen once the mailbox is proven.
    const signup = await t.request('/v1/signup', { json: { email: ' Jane@Example.com ' } });
    expect(signup.status).toBe(202);

    // Not confirmed yet: no password exists, so any sign-in gets the usual 401, and nothing is mailed.
    const mailBefore = (await t.mailbox()).length;
    expect((await t.request('/v1/login', { json: { email: 'jane@example.com', password: pw1 } })).status).toBe(401);
    expect((await t.request('/v1/login', { json: { email: 'jane@example.com', password: 'wrong password' } })).status).toBe(401);
    expect((await t.mailbox()).length).toBe(mailBefore);

    const verifyLink = await t.linkFor('jane@example.com', '/verify#token=');
    expect(verifyLink.startsWith('https://id.example.test/verify#token=')).toBe(true);
    const verified = await t.request('/v1/verify', { json: { token: tokenOf(verifyLink) } });
    expect(verified.status).toBe(200);
    const session1 = cookieOf(verified);

    // The fresh session chooses the first password, without a current one.
    expect((await t.request('/v1/password', { json: { password: pw1 }, headers: { cookie: session1 } })).status).toBe(200);
    expect((await t.request('/v1/session', { headers: { cookie: session1 } })).status).toBe(200);

    const me = await t.request('/v1/session', { headers: { cookie: session1 } });
    expect(me.status).toBe(200);
    const meBody = (await me.json()) as { id: string; email: string };
    expect(meBody.email).toBe('j***@example.com');
    expect(Object.keys(meBody).sort()).toEqual(['email', 'id']);

    // Sign in elsewhere, then sign out there.
    const login = await t.request('/v1/login', { form: { email: 'jane@example.com', password: pw1 } });
    expect(login.status).toBe(200);
    const session2 = cookieOf(login);
    expect((await t.request('/v1/logout', { method: 'POST', headers: { cookie: session2 } })).status).toBe(204);
    expect((await t.request('/v1/session', { headers: { cookie: session2 } })).status).toBe(401);

    // Change the password while signed in: other sessions are revoked, this one stays.
    const session3 = cookieOf(await t.request('/v1/login', { json: { email: 'jane@example.com', password: pw1 } }));
    const pw2 = 'a brand new passphrase';
    expect((await t.request('/v1/password', { json: { current: 'not it at all', password: pw2 }, headers: { cookie: session1 } })).status).toBe(401);
    expect((await t.request('/v1/password', { json: { current: pw1, password: pw2 }, headers: { cookie: session1 } })).status).toBe(200);
    expect((await t.request('/v1/session', { headers: { cookie: session1 } })).status).toBe(200);
    expect((await t.request('/v1/session', { headers: { cookie: session3 } })).status).toBe(401);
    expect((await t.request('/v1/password', { json: { current: pw1, password: pw2 } })).status).toBe(401);

    // Forgot it: reset through mail; every session goes, the old password stops working.
    expect((await t.request('/v1/recovery', { json: { email: 'JANE@example.com' } })).status).toBe(202);
    const resetLink = await t.linkFor('jane@example.com', '/reset#token=');
    const pw3 = 'third time lucky passphrase';
    const reset = await t.request('/v1/recovery/confirm', { json: { token: tokenOf(resetLink), password: pw3 } });
    expect(reset.status).toBe(200);
    expect((await t.request('/v1/session', { headers: { cookie: session1 } })).status).toBe(401);
    expect((await t.request('/v1/login', { json: { email: 'jane@example.com', password: pw2 } })).status).toBe(401);
    expect((await t.request('/v1/login', { json: { email: 'jane@example.com', password: pw3 } })).status).toBe(200);
    // The reset link works once.
    expect((await t.request('/v1/recovery/confirm', { json: { token: tokenOf(resetLink), password: 'yet another passphrase' } })).status).toBe(400);
    const subjects = (await t.mailbox()).filter((m) => m.to.includes('jane@')).map((m) => m.subject);
    // Three: the first password chosen after confirming, the change, the reset.
    expect(subjects.filter((s) => /password/i.test(s) && /changed/i.test(s))).toHaveLength(3);

    // A magic link for a registered address signs in.
    expect((await t.request('/v1/magic-link', { json: { email: 'jane@example.com' } })).status).toBe(202);
    const magic = await t.linkFor('jane@example.com', '/magic#token=');
    const magicIn = await t.request('/v1/magic-link/confirm', { json: { token: tokenOf(magic) } });
    expect(magicIn.status).toBe(200);
    cookieOf(magicIn);
  });

  it('a magic link for an unknown address creates the account only when used', async () => {
    expect((await t.request('/v1/magic-link', { json: { email: 'newbie@example.com' } })).status).toBe(202);
    expect(await t.hush.store.identities.findByEmail('newbie@example.com')).toBeNull();
    const link = await t.linkFor('newbie@example.com', '/magic#token=');
    const res = await t.request('/v1/magic-link/confirm', { json: { token: tokenOf(link) } });
    expect(res.status).toBe(200);
    const created = await t.hush.store.identities.findByEmail('newbie@example.com');
    expect(created?.verifiedAt).not.toBeNull();
    expect(created?.passwordHash).toBeNull();
    // No password: the password login fails like any other.
    expect((await t.request('/v1/login', { json: { email: 'newbie@example.com', password: 'anything at all' } })).status).toBe(401);
  });

  it.each([
    ['the attacker signs up first', ['attacker chosen pass', 'the real owner pass']],
    ['the attacker signs up second', ['the real owner pass', 'attacker chosen pass']],
  ])('a contested pending address cannot be hijacked (%s): neither password survives, the mailbox owner sets one', async (_case, passwords) => {
    const email = `victim-${passwords[0]?.length ?? 0}-${_case.length}@example.com`;
    for (const password of passwords) await t.request('/v1/signup', { json: { email, password } });
    const links = (await t.mailbox()).filter((m) => m.to.includes(email)).flatMap((m) => m.links).filter((l) => l.includes('/verify#'));
    expect(links).toHaveLength(2);
    // The first link was revoked by the second; the second signs the mailbox owner in.
    expect((await t.request('/v1/verify', { json: { token: tokenOf(links[0] ?? '') } })).status).toBe(400);
    const verified = await t.request('/v1/verify', { json: { token: tokenOf(links[1] ?? '') } });
    expect(verified.status).toBe(200);
    for (const password of passwords) expect((await t.request('/v1/login', { json: { email, password } })).status).toBe(401);
    // The fresh session sets the first password without a current one.
    const cookie = (verified.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect((await t.request('/v1/password', { json: { password: 'the owner sets this one' }, headers: { cookie } })).status).toBe(200);
    expect((await t.request('/v1/login', { json: { email, password: 'the owner sets this one' } })).status).toBe(200);
    // Once a password exists, changing it needs the current one again.
    expect((await t.request('/v1/password', { json: { password: 'someone else tries this' }, headers: { cookie } })).status).toBe(401);
  });

  it('signing up with a registered address mails the owner and changes nothing', async () => {
    await createAccount(t, 'owner@example.com', 'owner passphrase');
    const res = await t.request('/v1/signup', { json: { email: 'owner@example.com', password: 'intruder passphrase' } });
    expect(res.status).toBe(202);
    const last = (await t.mailbox()).filter((m) => m.to.includes('owner@')).pop();
    expect(last?.links).toEqual(expect.arrayContaining(['https://id.example.test/login', 'https://id.example.test/forgot']));
    expect((await t.request('/v1/login', { json: { email: 'owner@example.com', password: 'owner passphrase' } })).status).toBe(200);
    expect((await t.request('/v1/login', { json: { email: 'owner@example.com', password: 'intruder passphrase' } })).status).toBe(401);
  });
});
