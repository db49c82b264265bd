import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testHush, tokenOf } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';
import { sessionCookieOf } from '../helpers/accounts.js';
import { loadConfig } from '../../src/kernel/config.js';
import { prefixPage } from '../../src/http/base-path.js';

/** hush under `/auth` on the app's origin, with one session across example.test's subdomains (docs/deploying.md). */
let t: TestHush;
let setCookie: string;

beforeAll(async () => {
  t = await testHush({ HUSH_BASE_PATH: '/auth', HUSH_COOKIE_DOMAIN: 'example.test', HUSH_FORWARD_AUTH_EMAIL: 'on', HUSH_RETURN_TO_ORIGINS: 'https://app.example.test' });
  expect((await t.request('/auth/v1/signup', { json: { email: 'ada@example.test' } })).status).toBe(202);
  const link = await t.linkFor('ada@example.test', '/verify#token=');
  expect(link).toMatch(/^https:\/\/id\.example\.test\/auth\/verify#token=/);
  const verified = await t.request('/auth/v1/verify', { json: { token: tokenOf(link) } });
  expect(verified.status).toBe(200);
  setCookie = verified.headers.get('set-cookie') ?? '';
});
afterAll(async () => {
  await t.close();
});

describe('HUSH_COOKIE_DOMAIN', () => {
  it('sets a __Secure- cookie for the domain and its subdomains (a __Host- cookie cannot name a domain)', () => {
    expect(setCookie).toMatch(/^__Secure-hush_session=[\w-]{43}; /);
    const attributes = setCookie.split('; ').slice(1).map((a) => a.toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['domain=example.test', 'path=/', 'httponly', 'secure', 'samesite=lax']));
  });

  it('is refused at start unless it is the origin\'s host or a parent of it', () => {
    const base = { HUSH_ORIGIN: 'https://id.example.test' };
    expect(loadConfig({ ...base, HUSH_COOKIE_DOMAIN: 'id.example.test' }).cookieDomain).toBe('id.example.test');
    expect(loadConfig({ ...base, HUSH_COOKIE_DOMAIN: 'Example.TEST' }).cookieDomain).toBe('example.test');
    for (const bad of ['evil.test', 'ample.test', 'other.example.test', '.example.test', 'example.test/', 'localhost']) {
      expect(() => loadConfig({ ...base, HUSH_COOKIE_DOMAIN: bad }), bad).toThrow(/HUSH_COOKIE_DOMAIN/);
    }
  });
});

describe('HUSH_BASE_PATH', () => {
  it('serves everything under the path, and nothing at the root', async () => {
    expect((await t.request('/auth/login')).status).toBe(200);
    expect((await t.request('/auth/healthz')).status).toBe(200);
    expect((await t.request('/login')).status).toBe(404);
    expect((await t.request('/v1/forward-auth')).status).toBe(404);
    for (const path of ['/auth', '/auth/']) {
      const root = await t.request(path);
      expect(root.status, path).toBe(303);
      expect(root.headers.get('location')).toBe('/auth/account');
    }
    expect((await t.request('/auth/account')).headers.get('location')).toBe('/auth/login');
  });

  it('writes its pages with the path: every link, form, script, style and API call', async () => {
    const html = await (await t.request('/auth/magic?return_to=https%3A%2F%2Fapp.example.test%2Fx')).text();
    const paths = [...html.matchAll(/\s(?:href|action|src|data-api|data-next|data-pow-worker|challenge)="([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(paths.length).toBeGreaterThan(5);
    for (const p of paths) if (p.startsWith('/')) expect(p).toMatch(/^\/auth\//);
    expect(html).toContain('action="/auth/magic"');
    expect(html).toContain('data-api="/auth/v1/magic-link"');
    const css = paths.find((p) => p.startsWith('/auth/assets/hush.css')) ?? '';
    expect((await t.request(css)).status).toBe(200);
    // The value of a field is never rewritten: only attributes hush writes begin with ="/ (a typed value is escaped).
    expect(prefixPage('/auth', '<a href="/login"></a><input value="/x"> href=&quot;/y')).toBe('<a href="/auth/login"></a><input value="/x"> href=&quot;/y');
    expect(prefixPage('/auth', '<a href="//evil.test/"></a>')).toBe('<a href="//evil.test/"></a>');
  });

  it('answers forward auth and the session under the path, with X-Hush-Email when configured', async () => {
    const cookie = sessionCookieOf(new Response(null, { headers: { 'set-cookie': setCookie } }));
    const res = await t.request('/auth/v1/forward-auth', { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hush-email')).toBe('ada@example.test');
    expect(res.headers.get('x-hush-identity')).toMatch(/^\w+/);
    expect((await t.request('/auth/v1/forward-auth')).status).toBe(401);
    // A page sign-in goes back to the app, or to the account page under the path.
    const back = await t.request('/auth/magic', { form: { email: 'ada@example.test', return_to: 'https://app.example.test/x' }, headers: { 'sec-fetch-site': 'same-origin' } });
    expect(back.status).toBe(200);
    const link = await t.linkFor('ada@example.test', '/auth/magic?return_to=');
    expect(link).toBe(`https://id.example.test/auth/magic?return_to=${encodeURIComponent('https://app.example.test/x')}#token=${tokenOf(link)}`);
    const signedIn = await t.request('/auth/magic/confirm', { form: { token: tokenOf(link) }, headers: { 'sec-fetch-site': 'same-origin' } });
    expect(signedIn.headers.get('location')).toBe('/auth/account');
  });

  it('percent-encodes the non-ASCII characters of X-Hush-Email (a header carries bytes)', async () => {
    const now = new Date();
    await t.hush.store.identities.create({ id: 'idn-identity', email: 'zoë@example.test', passwordHash: null, verifiedAt: now, createdAt: now });
    const { token } = await t.hush.flows.sessions.create(t.hush.store.sessions, 'idn-identity', { ip: '198.51.100.7', userAgent: null });
    const res = await t.request('/auth/v1/forward-auth', { headers: { cookie: `__Secure-hush_session=${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hush-email')).toBe('zo%C3%AB@example.test');
  });

  it('still refuses a token sent over plain http when the origin is https', async () => {
    const res = await t.hush.app.request('/auth/v1/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"x"}' }, { incoming: { socket: { remoteAddress: '198.51.100.7', encrypted: false } } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('HUSH_INSECURE_TRANSPORT');
  });
});
