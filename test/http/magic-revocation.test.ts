import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testHush, tokenOf } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';
import { hashToken } from '../../src/core/token.js';

/**
 * A magic link asked for an address with no account is bound to the address,
 * not to an identity (none exists yet). Once an account exists for that
 * address by another path (sign-up), the link is that identity's token like
 * any other: a password change and a completed reset revoke it (design.md §2:
 * "a password change revokes all"), and so does a newer magic link. The same
 * goes for any other token bound to the address (a sign-up's link, where
 * sign-up binds it to the address).
 */
describe('magic links asked before the account existed', () => {
  let t: TestHush;
  beforeAll(async () => {
    t = await testHush();
  });
  afterAll(async () => t.close());

  const cookieOf = (res: Response): string => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

  /** A magic link for an address with no account, then the account made by sign-up and confirmed: the signed-in cookie and the link. */
  async function magicThenSignup(email: string, password: string, ip: string): Promise<{ cookie: string; magic: string }> {
    expect((await t.request('/v1/magic-link', { json: { email } }, ip)).status).toBe(202);
    const magic = tokenOf(await t.linkFor(email, '/magic#token='));
    expect(await t.hush.store.identities.findByEmail(email)).toBeNull();
    const row = await t.hush.database.db.selectFrom('tokens').select(['identity_id', 'identifier']).where('hash', '=', hashToken(magic)).executeTakeFirstOrThrow();
    expect(row).toEqual({ identity_id: null, identifier: email });
    expect((await t.request('/v1/signup', { json: { email, password } }, ip)).status).toBe(202);
    const verified = await t.request('/v1/verify', { json: { token: tokenOf(await t.linkFor(email, '/verify#token=')) } }, ip);
    expect(verified.status).toBe(200);
    return { cookie: cookieOf(verified), magic };
  }

  async function confirmMagic(token: string, ip: string): Promise<{ status: number; code: string | undefined }> {
    const res = await t.request('/v1/magic-link/confirm', { json: { token } }, ip);
    const body = (await res.json()) as { error?: { code?: string } };
    return { status: res.status, code: body.error?.code };
  }

  it('a password change revokes it', async () => {
    const ip = '198.51.100.21';
    const { cookie, magic } = await magicThenSignup('early-change@example.com', 'first passphrase here', ip);
    const changed = await t.request('/v1/password', { json: { current: 'first passphrase here', password: 'second passphrase here' }, headers: { cookie } }, ip);
    expect(changed.status).toBe(200);
    expect(await confirmMagic(magic, ip)).toEqual({ status: 400, code: 'HUSH_TOKEN_INVALID' });
  });

  it('a completed reset revokes it', async () => {
    const ip = '198.51.100.22';
    const email = 'early-reset@example.com';
    const { magic } = await magicThenSignup(email, 'first passphrase here', ip);
    expect((await t.request('/v1/recovery', { json: { email } }, ip)).status).toBe(202);
    const reset = await t.request('/v1/recovery/confirm', { json: { token: tokenOf(await t.linkFor(email, '/reset#token=')), password: 'reset passphrase here' } }, ip);
    expect(reset.status).toBe(200);
    expect(await confirmMagic(magic, ip)).toEqual({ status: 400, code: 'HUSH_TOKEN_INVALID' });
  });

  it('a newer magic link for the registered address revokes it, and the newer one works', async () => {
    const ip = '198.51.100.23';
    const email = 'early-again@example.com';
    const { magic } = await magicThenSignup(email, 'first passphrase here', ip);
    expect((await t.request('/v1/magic-link', { json: { email } }, ip)).status).toBe(202);
    const newer = tokenOf(await t.linkFor(email, '/magic#token='));
    expect(newer).not.toBe(magic);
    expect(await confirmMagic(magic, ip)).toEqual({ status: 400, code: 'HUSH_TOKEN_INVALID' });
    expect((await confirmMagic(newer, ip)).status).toBe(200);
  });

  it('a sign-up link bound to the address goes too when the account a magic link made changes its password', async () => {
    const ip = '198.51.100.26';
    const email = 'early-verify@example.com';
    expect((await t.request('/v1/signup', { json: { email, password: 'first passphrase here' } }, ip)).status).toBe(202);
    const verifyToken = tokenOf(await t.linkFor(email, '/verify#token='));
    expect((await t.request('/v1/magic-link', { json: { email } }, ip)).status).toBe(202);
    const signedIn = await t.request('/v1/magic-link/confirm', { json: { token: tokenOf(await t.linkFor(email, '/magic#token=')) } }, ip);
    expect(signedIn.status).toBe(200);
    // A fresh session sets the first password (a magic link, or confirming, drops one set before the mailbox was proved).
    const changed = await t.request('/v1/password', { json: { current: 'first passphrase here', password: 'second passphrase here' }, headers: { cookie: cookieOf(signedIn) } }, ip);
    expect(changed.status).toBe(200);
    const res = await t.request('/v1/verify', { json: { token: verifyToken } }, ip);
    expect(res.status).toBe(400);
  });

  it('with nothing else done, the early link still signs in (it proves the mailbox)', async () => {
    const ip = '198.51.100.24';
    const { magic } = await magicThenSignup('early-kept@example.com', 'first passphrase here', ip);
    expect((await confirmMagic(magic, ip)).status).toBe(200);
  });

  it('the revocations touch only that address: another address’s early link survives', async () => {
    const ip = '198.51.100.25';
    expect((await t.request('/v1/magic-link', { json: { email: 'bystander@example.com' } }, ip)).status).toBe(202);
    const bystander = tokenOf(await t.linkFor('bystander@example.com', '/magic#token='));
    const { cookie } = await magicThenSignup('early-other@example.com', 'first passphrase here', ip);
    expect((await t.request('/v1/password', { json: { current: 'first passphrase here', password: 'second passphrase here' }, headers: { cookie } }, ip)).status).toBe(200);
    expect((await confirmMagic(bystander, ip)).status).toBe(200);
  });
});
