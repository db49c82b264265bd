import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observable, testHush, tokenOf } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';
import { createAccount } from '../helpers/accounts.js';
import { hashToken } from '../../src/core/token.js';

/**
 * What an app behind hush relies on: forward auth for the proxy, the session
 * check for servers, and `return_to` back to the app (docs/deploying.md).
 * HUSH_BASE_PATH, HUSH_COOKIE_DOMAIN and X-Hush-Email: base-path.test.ts.
 */
let t: TestHush;
let cookie: string;
const APP = 'https://app.example.test';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  t = await testHush({ HUSH_RETURN_TO_ORIGINS: `${APP}, http://localhost:3000` });
  ({ cookie } = await createAccount(t, 'ada@example.test', PASSWORD));
});
afterAll(async () => {
  await t.close();
});

const DAY = 86_400_000;
const identityOf = async (h: TestHush, c: string): Promise<string> => ((await (await h.request('/v1/session', { headers: { cookie: c } })).json()) as { id: string }).id;

describe('GET /v1/forward-auth', () => {
  it('answers 200 with the identity id, and nothing else about the account, for a live session', async () => {
    const res = await t.request('/v1/forward-auth', { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hush-identity')).toBe(await identityOf(t, cookie));
    expect(res.headers.get('x-hush-email')).toBeNull();
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect([...res.headers.keys()].filter((k) => k.startsWith('x-hush'))).toEqual(['x-hush-identity']);
    expect(await res.text()).toBe('');
  });

  it('sets the cookie again, with the new expiry, when the lookup slid the session forward', async () => {
    const id = await identityOf(t, cookie);
    const { token } = await t.hush.flows.sessions.create(t.hush.store.sessions, id, { ip: '198.51.100.7', userAgent: null });
    // Last seen two days ago, and the idle expiry a day away: the next lookup slides it to 14 days from now.
    await t.hush.store.sessions.touch(hashToken(token), new Date(Date.now() - 2 * DAY), new Date(Date.now() + DAY));
    const slid = await t.request('/v1/forward-auth', { headers: { cookie: `__Host-hush_session=${token}` } });
    expect(slid.status).toBe(200);
    const set = slid.headers.get('set-cookie') ?? '';
    expect(set.startsWith(`__Host-hush_session=${token};`)).toBe(true);
    const expires = Date.parse(/Expires=([^;]+)/i.exec(set)?.[1] ?? '');
    expect(expires).toBeGreaterThan(Date.now() + 13 * DAY);
    // Just seen: nothing to refresh.
    const again = await t.request('/v1/forward-auth', { headers: { cookie: `__Host-hush_session=${token}` } });
    expect(again.status).toBe(200);
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('answers the same for HEAD and for the methods Traefik and Caddy forward', async () => {
    for (const method of ['HEAD', 'POST', 'DELETE']) {
      const res = await t.request('/v1/forward-auth', { method, headers: { cookie } });
      expect(res.status, method).toBe(200);
      expect(res.headers.get('x-hush-identity'), method).toBe(await identityOf(t, cookie));
    }
  });

  it('answers one 401 without a cookie, with a malformed, unknown or ended session', async () => {
    const name = cookie.split('=')[0] ?? '';
    const bodies = new Set<string>();
    for (const c of [undefined, `${name}=`, `${name}=x`, `${name}=${'A'.repeat(43)}`, `${name}=${'A'.repeat(500)}`, 'other=1']) {
      const res = await t.request('/v1/forward-auth', c === undefined ? {} : { headers: { cookie: c } });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-hush-identity')).toBeNull();
      bodies.add(await res.text());
    }
    expect([...bodies]).toEqual([JSON.stringify({ error: { code: 'HUSH_UNAUTHORIZED', message: 'Sign in first.' } })]);
    // Signed out: the same session is refused at once.
    const { cookie: other } = await createAccount(t, 'bea@example.test', 'correct horse battery');
    expect((await t.request('/v1/forward-auth', { headers: { cookie: other } })).status).toBe(200);
    expect((await t.request('/v1/logout', { method: 'POST', headers: { cookie: other } })).status).toBe(204);
    expect((await t.request('/v1/forward-auth', { headers: { cookie: other } })).status).toBe(401);
  });
});

describe('the way to sign in from the proxy', () => {
  const forwarded = (uri: string, host = 'app.example.test', proto = 'https'): Record<string, string> => ({ 'x-forwarded-proto': proto, 'x-forwarded-host': host, 'x-forwarded-uri': uri });

  it('GET /v1/forward-auth/sign-in sends the visitor to sign in, then back to the page they asked for', async () => {
    const res = await t.request('/v1/forward-auth/sign-in', { headers: forwarded('/orders/7?tab=1&x=2') });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`https://id.example.test/login?return_to=${encodeURIComponent(`${APP}/orders/7?tab=1&x=2`)}`);
  });

  it('drops a page on an origin that is not allowed, and works without the headers', async () => {
    for (const headers of [forwarded('/x', 'evil.test'), forwarded('/x', 'app.example.test', 'http'), forwarded('.evil.test/x'), forwarded('@evil.test/'), forwarded(':8443/x'), {}]) {
      const res = await t.request('/v1/forward-auth/sign-in', { headers });
      expect(res.headers.get('location'), JSON.stringify(headers)).toBe('https://id.example.test/login');
    }
  });

  it('`?redirect=1` (Traefik, Caddy) redirects instead of 401, and still answers 200 with a session', async () => {
    const res = await t.request('/v1/forward-auth?redirect=1', { headers: forwarded('/y') });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`https://id.example.test/login?return_to=${encodeURIComponent(`${APP}/y`)}`);
    expect((await t.request('/v1/forward-auth?redirect=1', { headers: { ...forwarded('/y'), cookie } })).status).toBe(200);
  });
});

describe('POST /v1/session/check', () => {
  it('needs an API key with the session scope', async () => {
    const events = (await t.hush.stores.apiKeys.create('app-events', ['events'])).key;
    const value = cookie.split('=')[1] ?? '';
    expect((await t.request('/v1/session/check', { json: { session: value } })).status).toBe(401);
    expect((await t.request('/v1/session/check', { json: { session: value }, headers: { authorization: 'Bearer hush_nope' } })).status).toBe(401);
    const scoped = await t.request('/v1/session/check', { json: { session: value }, headers: { authorization: `Bearer ${events}` } });
    expect(scoped.status).toBe(403);
    expect(((await scoped.json()) as { error: { code: string } }).error.code).toBe('HUSH_API_KEY_SCOPE');
  });

  it('says whether the forwarded cookie value is a live session, and whose', async () => {
    const key = (await t.hush.stores.apiKeys.create('app', ['session'])).key;
    const headers = { authorization: `Bearer ${key}` };
    const value = cookie.split('=')[1] ?? '';
    const live = await t.request('/v1/session/check', { json: { session: value }, headers });
    expect(live.status).toBe(200);
    expect(live.headers.get('set-cookie')).toBeNull();
    const body = (await live.json()) as Record<string, unknown>;
    expect(body).toEqual({ active: true, identity: await identityOf(t, cookie), expires_at: expect.any(String) });
    expect(Date.parse(String(body.expires_at))).toBeGreaterThan(Date.now());
    for (const session of ['x', 'A'.repeat(43), 'A'.repeat(200)]) {
      const res = await t.request('/v1/session/check', { json: { session }, headers });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('{"active":false}');
    }
    const missing = await t.request('/v1/session/check', { json: {}, headers });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('HUSH_VALIDATION');
  });
});

/** Refused values: each must give the default page (the full list is in test/unit/core/return-to.test.ts). */
const EVIL = ['//evil.test/x', 'https:evil.test', '\\\\evil.test', `${APP}@evil.test`, 'HTTPS://APP.EXAMPLE.TEST/', '/%2f%2fevil.test'.replace('/', '%2f'), 'https://evil.test/'];
const DEFAULT_PAGE = 'https://id.example.test/account';
/** For requests that hash a password: a few of them (the pages and the unit test take the whole list). */
const SOME_EVIL = ['//evil.test/x', 'https:evil.test', `${APP}@evil.test`];
const json = async (res: Response): Promise<Record<string, unknown>> => (await res.json()) as Record<string, unknown>;

describe('return_to on the JSON API', () => {
  it('a sign-in carries the accepted return_to, or the default page for a refused one, and nothing when none was sent', async () => {
    const login = (extra: Record<string, unknown>): Promise<Response> => t.request('/v1/login', { json: { email: 'ada@example.test', password: PASSWORD, ...extra } });
    expect(await json(await login({ return_to: `${APP}/orders?id=7` }))).toMatchObject({ status: 'signed_in', return_to: `${APP}/orders?id=7` });
    expect((await json(await login({ return_to: '/account?tab=sessions' }))).return_to).toBe('https://id.example.test/account?tab=sessions');
    for (const evil of SOME_EVIL) expect((await json(await login({ return_to: evil }))).return_to, evil).toBe(DEFAULT_PAGE);
    expect(await json(await login({}))).not.toHaveProperty('return_to');
  });

  it('a failed sign-in is byte-identical for an unknown address and a wrong password, with or without return_to', async () => {
    const seen = new Set<string>();
    for (const extra of [{}, { return_to: `${APP}/x` }, { return_to: '//evil.test' }]) {
      for (const email of ['ada@example.test', 'nobody@example.test']) {
        const res = await t.request('/v1/login', { json: { email, password: 'wrong password here', ...extra } }, '198.51.100.99');
        seen.add(JSON.stringify(await observable(res)));
      }
    }
    expect(seen.size).toBe(1);
  });

  it('the mailed links carry the accepted return_to the same way for every account, and drop a refused one', async () => {
    const target = `${APP}/welcome?from=mail`;
    const query = `?return_to=${encodeURIComponent(target)}#token=`;
    // Magic link: a registered address and an unknown one get the same link shape.
    for (const email of ['ada@example.test', 'newcomer@example.test']) {
      expect((await t.request('/v1/magic-link', { json: { email, return_to: target } })).status).toBe(202);
      expect(await t.linkFor(email, `https://id.example.test/magic${query}`)).toBeTruthy();
    }
    // Sign-up: a new address gets a verify link, a registered one the sign-in and reset links; all carry it.
    expect((await t.request('/v1/signup', { json: { email: 'dee@example.test', return_to: target } })).status).toBe(202);
    const verify = await t.linkFor('dee@example.test', `https://id.example.test/verify${query}`);
    expect((await t.request('/v1/signup', { json: { email: 'ada@example.test', return_to: target } })).status).toBe(202);
    await t.linkFor('ada@example.test', `https://id.example.test/login?return_to=${encodeURIComponent(target)}`);
    await t.linkFor('ada@example.test', `https://id.example.test/forgot?return_to=${encodeURIComponent(target)}`);
    // Reset.
    expect((await t.request('/v1/recovery', { json: { email: 'ada@example.test', return_to: target } })).status).toBe(202);
    const reset = await t.linkFor('ada@example.test', `https://id.example.test/reset${query}`);
    // A refused return_to: the plain link.
    expect((await t.request('/v1/magic-link', { json: { email: 'eve@example.test', return_to: '//evil.test' } })).status).toBe(202);
    const plain = await t.linkFor('eve@example.test', '/magic');
    expect(plain).toMatch(/^https:\/\/id\.example\.test\/magic#token=/);
    // Following a link: the confirm reply says where to go.
    const verified = await t.request('/v1/verify', { json: { token: tokenOf(verify), return_to: new URL(verify).searchParams.get('return_to') } });
    expect(await json(verified)).toMatchObject({ status: 'signed_in', return_to: target });
    const changed = await t.request('/v1/recovery/confirm', { json: { token: tokenOf(reset), password: PASSWORD, return_to: target } });
    expect(await json(changed)).toMatchObject({ status: 'password_changed', return_to: target });
    const bad = await t.request('/v1/magic-link/confirm', { json: { token: tokenOf(reset), return_to: target } });
    expect(bad.status).toBe(400);
    expect(await json(bad)).not.toHaveProperty('return_to');
  });
});

describe('return_to on the pages', () => {
  const hidden = (target: string): string => `<input type="hidden" name="return_to" value="${target.replaceAll('&', '&amp;')}"/>`;

  it('the sign-in pages carry an accepted return_to through their forms and links, and drop a refused one', async () => {
    const target = `${APP}/orders?id=7&x=1`;
    for (const page of ['/login', '/magic', '/signup', '/forgot', '/verify', '/reset']) {
      const html = await (await t.request(`${page}?return_to=${encodeURIComponent(target)}`)).text();
      expect(html, page).toContain(hidden(target));
      for (const evil of EVIL) expect(await (await t.request(`${page}?return_to=${encodeURIComponent(evil)}`)).text(), `${page} ${evil}`).not.toContain('name="return_to"');
    }
    const login = await (await t.request(`/login?return_to=${encodeURIComponent(target)}`)).text();
    expect(login).toContain(`href="/magic?return_to=${encodeURIComponent(target).replaceAll('&', '&amp;')}"`);
  });

  it('signing in on the page goes back to the accepted return_to, else to the account page', async () => {
    const post = (return_to: string): Promise<Response> =>
      t.request('/login', { form: { email: 'ada@example.test', password: PASSWORD, return_to }, headers: { 'sec-fetch-site': 'same-origin' } });
    const back = await post(`${APP}/orders?id=7`);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`${APP}/orders?id=7`);
    for (const evil of SOME_EVIL) expect((await post(evil)).headers.get('location'), evil).toBe('/account');
  });

  it('a mailed magic link brings the person back: its page carries return_to to the confirm form, which redirects there', async () => {
    const target = `${APP}/cart`;
    const same = { 'sec-fetch-site': 'same-origin' };
    expect((await t.request('/magic', { form: { email: 'ada@example.test', return_to: target }, headers: same })).status).toBe(200);
    const link = await t.linkFor('ada@example.test', `/magic?return_to=${encodeURIComponent(target)}#token=`);
    const url = new URL(link);
    const page = await (await t.request(`${url.pathname}${url.search}`)).text();
    expect(page).toContain(hidden(target));
    const confirmed = await t.request('/magic/confirm', { form: { token: tokenOf(link), return_to: target }, headers: same });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe(target);
  });

  it('a failed sign-in page is the same for an unknown address and a wrong password', async () => {
    const seen = new Set<string>();
    for (const email of ['ada@example.test', 'nobody@example.test']) {
      const res = await t.request('/login', { form: { email, password: 'wrong password here', return_to: `${APP}/x` }, headers: { 'sec-fetch-site': 'same-origin' } }, '198.51.100.98');
      const o = await observable(res);
      seen.add(JSON.stringify({ ...o, body: o.body.replace(email, 'EMAIL') }));
      expect(o.body).toContain(hidden(`${APP}/x`));
    }
    expect(seen.size).toBe(1);
  });
});
