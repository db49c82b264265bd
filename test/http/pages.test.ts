import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrf } from '../../src/http/csrf.js';
import { CLIENT_SCRIPT } from '../../src/http/pages/client-script.js';
import { FRESH_SESSION_MS } from '../../src/core/flows/index.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { contrast, themeFor } from '../../src/http/pages/theme.js';
import { observable, testHush, tokenOf } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';

/**
 * The hosted pages in process (no browser): headers, escaping, the
 * no-JavaScript path through the same API handlers, cross-site refusal, the
 * dev mailbox's loopback rule, assets and branding. test/browser drives them
 * in Chromium.
 */
const ORIGIN = 'http://localhost:8080';
const SAME = { Origin: ORIGIN, 'Sec-Fetch-Site': 'same-origin' };
const PASSWORD = 'pages correct horse';

describe('hosted pages (in process)', () => {
  let t: TestHush;
  const logo = join(mkdtempSync(join(tmpdir(), 'hush-logo-')), 'logo.svg');

  beforeAll(async () => {
    writeFileSync(logo, '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    t = await testHush({ HUSH_ORIGIN: ORIGIN, HUSH_PRODUCT_NAME: 'Acme <ID>', HUSH_BRAND_COLOR: '#ffcc00', HUSH_LOGO_FILE: logo });
  });
  afterAll(() => t.close());

  const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = SAME, ip?: string): Promise<Response> =>
    t.request(path, { form: fields, headers, redirect: 'manual' }, ip);

  it('serves every page with strict headers, the brand, and nothing from another origin', async () => {
    for (const path of ['/login', '/signup', '/forgot', '/reset', '/magic', '/verify']) {
      const res = await t.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(html).toContain('Acme &lt;ID&gt;');
      expect(html).toMatch(/<img src="\/assets\/logo\.svg\?v=[0-9a-f]+"/);
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
      expect(html).not.toMatch(/<script>|<style|style="/);
    }
  });

  it('marks the honeypot hidden from people, screen readers, the tab order and autofill', async () => {
    const html = await (await t.request('/signup')).text();
    expect(html).toMatch(/<div class="hp" aria-hidden="true"><label for="signup-website">[^<]+<\/label><input id="signup-website" name="website" type="text" tabindex="-1" autocomplete="off" value=""\/>/);
    // Sign-up asks for the address alone: the password is chosen after the mailbox is proven.
    expect(html).toContain('autocomplete="email"');
    expect(html).not.toContain('type="password"');
    expect(html).toContain('choose your password');
    expect((await (await t.request('/login')).text())).toContain('autocomplete="current-password"');
    const reset = await (await t.request('/reset')).text();
    expect(reset).toContain('autocomplete="one-time-code"');
    expect(reset).toContain('autocomplete="new-password"');
    // HUSH_POW=off in tests: no widget, no widget script.
    expect(html).not.toContain('altcha');
  });

  it('without JavaScript, the page after "forgot password" is byte-identical for an existing and an unknown address', async () => {
    await t.hush.store.identities.create({ id: 'pages-known', email: 'known@example.com', passwordHash: null, verifiedAt: new Date(), createdAt: new Date() });
    const known = await observable(await form('/forgot', { email: 'known@example.com', website: '' }));
    const unknown = await observable(await form('/forgot', { email: 'unknown@example.com', website: '' }));
    expect(known.status).toBe(200);
    expect(known.body).toContain('Check your inbox');
    expect(known.body).not.toContain('known@example.com');
    expect(unknown).toEqual(known);
  });

  it('without JavaScript: sign up, confirm, choose a password, see the account, sign out', async () => {
    const signup = await form('/signup', { email: 'nojs@example.com', website: '' });
    expect(signup.status).toBe(200);
    const token = tokenOf(await t.linkFor('nojs@example.com', '/verify'));
    const verified = await form('/verify', { token });
    expect(verified.status).toBe(303);
    expect(verified.headers.get('location')).toBe('/account');
    const cookie = verified.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^hush_session=./);
    const account = await (await t.request('/account', { headers: { cookie } })).text();
    expect(account).toContain('n***@example.com');
    // No password yet: the page offers to choose one, with no "current password" field.
    expect(account).toContain('Choose a password');
    expect(account).not.toContain('Current password');
    const chosen = await form('/account/password', { password: PASSWORD }, { ...SAME, cookie });
    expect(chosen.status).toBe(200);
    expect(await chosen.text()).toContain('Your password has been changed');
    // Now it has one: changing it asks for the current one.
    const after = await (await t.request('/account', { headers: { cookie } })).text();
    expect(after).toContain('Change your password');
    expect(after).toContain('Current password');
    const signedIn = await form('/login', { email: 'nojs@example.com', password: PASSWORD, website: '' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/account');
    const out = await form('/logout', {}, { ...SAME, cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect((await t.request('/account', { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
  });

  it('the account page of an identity without a password: a fresh session chooses one, an older one is sent to "forgot password"', async () => {
    const clock = new ManualClock(Date.now());
    const own = await testHush({ HUSH_ORIGIN: ORIGIN }, { clock });
    try {
      await own.hush.store.identities.create({ id: 'pages-nopw', email: 'nopw@example.com', passwordHash: null, verifiedAt: new Date(clock.now()), createdAt: new Date(clock.now()) });
      await own.request('/v1/magic-link', { json: { email: 'nopw@example.com' } });
      const signedIn = await own.request('/v1/magic-link/confirm', { json: { token: tokenOf(await own.linkFor('nopw@example.com', '/magic#token=')) } });
      const cookie = signedIn.headers.get('set-cookie')?.split(';')[0] ?? '';
      const fresh = await (await own.request('/account', { headers: { cookie } })).text();
      expect(fresh).toContain('Choose a password');
      expect(fresh).toContain('name="password"');
      expect(fresh).not.toContain('name="current"');
      clock.advance(FRESH_SESSION_MS + 1);
      const stale = await (await own.request('/account', { headers: { cookie } })).text();
      expect(stale).toContain('Choose a password');
      expect(stale).not.toContain('name="password"');
      expect(stale).toContain('href="/forgot"');
    } finally {
      await own.close();
    }
  });

  it('ties errors to their fields, and escapes what was typed', async () => {
    const res = await form('/login', { email: '"><script>alert(1)</script>', password: 'x' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toMatch(/<p class="error" id="login-email-error">Email address is not an email address\.<\/p>/);
    const bad = await form('/reset', { token: 'not-a-token', password: 'another correct horse' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('This link is invalid or has expired');
  });

  it('refuses a form posted from another site, as a page, before any flow runs', async () => {
    const attempts: Record<string, string>[] = [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }, { 'Sec-Fetch-Site': 'same-site', Origin: 'http://a.localhost:8080' }];
    for (const headers of attempts) {
      const res = await form('/forgot', { email: 'known@example.com' }, headers);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('came from another site');
    }
    // The browser attests same-origin even when the host is spelled differently from HUSH_ORIGIN.
    expect((await form('/forgot', { email: 'a@example.com' }, { Origin: 'http://127.0.0.1:8080', 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
    // No browser headers at all: not a browser, nothing to forge.
    expect((await form('/forgot', { email: 'a@example.com' }, {})).status).toBe(200);
  });

  it('on an https origin, refuses a token posted from a page over plain http, and sends / on to sign-in', async () => {
    const https = await testHush(); // HUSH_ORIGIN=https://id.example.test
    try {
      const plain = { incoming: { socket: { remoteAddress: '198.51.100.7', encrypted: false } } };
      const body = new URLSearchParams({ token: 'x'.repeat(43), password: PASSWORD }).toString();
      const headers = { 'content-type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' };
      const res = await https.hush.app.request('/reset', { method: 'POST', headers, body }, plain);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('HUSH_INSECURE_TRANSPORT');
      expect((await https.request('/reset')).status).toBe(200);
      // The "this wasn't me" token and the second step's code travel the same way (both were left out at first).
      for (const path of ['/v1/disown', '/v1/login/second-factor']) {
        const api = await https.hush.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'x'.repeat(43), code: '123456' }) }, plain);
        expect([path, api.status]).toEqual([path, 403]);
      }
    } finally {
      await https.close();
    }
    const root = await t.request('/', { redirect: 'manual' });
    expect(root.status).toBe(303);
    expect(root.headers.get('location')).toBe('/account');
  });

  it('the csrf middleware refuses cross-site unsafe requests with HUSH_CSRF and lets allowed origins through', async () => {
    const app = new Hono();
    app.use('*', csrf({ origin: 'https://id.example.com', corsOrigins: ['https://app.example.com'] }));
    app.all('/x', (c) => c.text('ok'));
    const call = (method: string, headers: Record<string, string>): Promise<Response> => Promise.resolve(app.request('/x', { method, headers }));
    const refused = await call('POST', { Origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('HUSH_CSRF');
    expect((await call('POST', { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await call('POST', { Origin: 'null' })).status).toBe(403);
    expect((await call('POST', { Origin: 'https://app.example.com', 'Sec-Fetch-Site': 'cross-site' })).status).toBe(200);
    expect((await call('POST', { Origin: 'https://id.example.com', 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
    expect((await call('GET', { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' })).status).toBe(200);
    expect((await call('POST', {})).status).toBe(200);
  });

  it('shows the dev mailbox only to a loopback client that came through no proxy', async () => {
    await t.deliver();
    const local = await t.request('/dev/mailbox', {}, '127.0.0.1');
    expect(local.status).toBe(200);
    expect(await local.text()).toContain('/verify#token=');
    expect((await t.request('/dev/mailbox', {}, '::1')).status).toBe(200);
    expect((await t.request('/dev/mailbox', {}, '198.51.100.7')).status).toBe(404);
    expect((await t.request('/dev/mailbox', { headers: { 'X-Forwarded-For': '203.0.113.9' } }, '127.0.0.1')).status).toBe(404);
    const smtp = await testHush({ HUSH_ORIGIN: ORIGIN, SMTP_URL: 'smtp://127.0.0.1:1' });
    try {
      expect((await smtp.request('/dev/mailbox', {}, '127.0.0.1')).status).toBe(404);
    } finally {
      await smtp.close();
    }
  });

  it('serves its assets itself, with a long cache, and a page script that parses', async () => {
    const html = await (await t.request('/login')).text();
    for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
      const res = await t.request(m[1]!.replace(/&amp;/g, '&'));
      expect(res.status, m[1]).toBe(200);
      expect(res.headers.get('cache-control')).toContain('immutable');
    }
    expect(() => new Script(CLIENT_SCRIPT)).not.toThrow(); // parses; the browser tests run it
    expect(CLIENT_SCRIPT).not.toContain('`');
  });

  it('no-JS forms that need a proof-of-work say how to get one', async () => {
    const pow = await testHush({ HUSH_ORIGIN: ORIGIN, HUSH_POW: 'on' });
    try {
      const page = await (await pow.request('/forgot')).text();
      expect(page).toContain('<altcha-widget challenge="/v1/pow/challenge?action=recovery" name="pow"');
      const res = await pow.request('/forgot', { form: { email: 'a@example.com' }, headers: SAME });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('needs JavaScript');
    } finally {
      await pow.close();
    }
  });

  it('derives readable colours from any brand colour', () => {
    for (const brand of ['#ffcc00', '#ffffff', '#000000', '#3b3f9e', '#00ff00']) {
      const theme = themeFor(brand);
      const rgb = (h: string): [number, number, number] => [1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
      expect(contrast(rgb(theme.accent), [255, 255, 255]), brand).toBeGreaterThanOrEqual(4.5);
      expect(contrast(rgb(theme.onBrand), rgb(theme.brand)), brand).toBeGreaterThanOrEqual(4.5);
    }
  });
});
