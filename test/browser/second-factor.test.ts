import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { base32Decode } from '../../src/core/totp.js';
import { address, axeViolations, browserTier, launch, newContext, serve, totpCodes } from './harness.js';
import type { Served } from './harness.js';

/**
 * The second factor in Chromium, in one journey against `hush serve`: enrol
 * from the security page, sign in with a code, sign in with a recovery code
 * from another browser, sign that session out, follow a notice's "this
 * wasn't me" link, and reset the password with a code. Every new page is
 * checked with axe-core (WCAG 2.2 AA) on the way.
 */
const PASSWORD = 'second factor correct horse';

describe.skipIf(browserTier.skip)(`second factor in a browser${browserTier.reason === '' ? '' : ` (skipped: ${browserTier.reason})`}`, () => {
  let served: Served;
  let browser: Awaited<ReturnType<typeof launch>>;

  beforeAll(async () => {
    browser = await launch();
    served = await serve({ HUSH_POW: 'off' });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  /** A confirmed account with a password, made through the API (the browser journeys of sign-up are elsewhere). */
  const account = async (email: string): Promise<void> => {
    const post = (path: string, body: unknown, cookie = ''): Promise<Response> =>
      fetch(`${served.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: served.url, cookie }, body: JSON.stringify(body) });
    expect((await post('/v1/signup', { email })).status).toBe(202);
    const token = new URL(await served.linkFor(email, '/verify')).hash.replace('#token=', '');
    const verified = await post('/v1/verify', { token });
    const cookie = (verified.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect((await post('/v1/password', { password: PASSWORD }, cookie)).status).toBe(200);
  };

  const signIn = async (page: Page, email: string, password = PASSWORD): Promise<void> => {
    await page.goto(`${served.url}/login`);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${served.url}/login/second-factor`);
  };

  it('enrol, sign in with a code and with a recovery code, sign a session out, "this wasn\'t me", reset with a code', async () => {
    const email = address('totp');
    await account(email);
    const violations: string[] = [];
    const { page } = await newContext(browser.browser);

    // Enrol from the security page.
    await page.goto(`${served.url}/login`);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${served.url}/account`);
    await page.getByRole('link', { name: /Sign-in and security/ }).click();
    await page.waitForURL(`${served.url}/account/security`);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await expect.poll(() => page.locator('figure.qr svg').count()).toBe(1);
    violations.push(...(await axeViolations(page)).map((v) => `setup ${v}`));
    const key = base32Decode(((await page.locator('code.secret').textContent()) ?? '').replace(/\s/g, ''));
    if (key === null) throw new Error('no key on the setup page');
    const nextCode = totpCodes(key);
    await page.getByLabel('The 6-digit code your app shows now').fill(await nextCode());
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await expect.poll(() => page.locator('ol.codes li').count()).toBe(10);
    violations.push(...(await axeViolations(page)).map((v) => `codes ${v}`));
    const codes = await page.locator('ol.codes li').allTextContents();

    // Sign in with a code.
    await page.goto(`${served.url}/account`);
    await page.getByRole('button', { name: 'Sign out of this device' }).click();
    await page.waitForURL(`${served.url}/login`);
    await signIn(page, email);
    violations.push(...(await axeViolations(page)).map((v) => `second-factor ${v}`));
    await page.getByLabel('Code', { exact: true }).fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#second-alert').textContent()).toContain('That code is not right');
    await page.getByLabel('Code', { exact: true }).fill(await nextCode());
    await page.keyboard.press('Enter');
    await page.waitForURL(`${served.url}/account`);

    // Another browser signs in with a recovery code; the first signs it out from the security page.
    const other = await newContext(browser.browser);
    await signIn(other.page, email);
    await other.page.getByLabel('Code', { exact: true }).fill(codes[0] ?? '');
    await other.page.getByRole('button', { name: 'Sign in' }).click();
    await other.page.waitForURL(`${served.url}/account`);
    await page.goto(`${served.url}/account/security`);
    await expect.poll(() => page.locator('main').textContent()).toContain('(this device)');
    violations.push(...(await axeViolations(page)).map((v) => `security ${v}`));
    await page.getByRole('button', { name: /^Sign out Chrome/ }).first().click();
    await expect.poll(() => page.locator('main').textContent()).toContain('That session was signed out.');
    await other.page.goto(`${served.url}/account`);
    await other.page.waitForURL(`${served.url}/login`);

    // The recovery code's notice: "this wasn't me" signs everything out and mails a reset link.
    const mailBefore = (await served.mailbox()).filter((m) => m.to.includes(email)).length;
    await other.page.goto(await served.linkFor(email, '/disown'));
    violations.push(...(await axeViolations(other.page)).map((v) => `disown ${v}`));
    await other.page.getByRole('button', { name: 'Sign out everywhere and reset my password' }).click();
    await expect.poll(() => other.page.locator('#result').textContent()).toContain('Every session of your account was signed out');
    await page.goto(`${served.url}/account`);
    await page.waitForURL(`${served.url}/login`);

    // Reset with a code: the link alone is not enough.
    await other.page.goto(await served.linkFor(email, '/reset', mailBefore));
    await other.page.getByLabel('New password').fill('a reset correct horse');
    await other.page.getByRole('button', { name: 'Save new password' }).click();
    await expect.poll(() => other.page.locator('#reset-alert').textContent()).toContain('Enter the code from your authenticator app');
    violations.push(...(await axeViolations(other.page)).map((v) => `reset-with-code ${v}`));
    await other.page.getByLabel('Code', { exact: true }).fill(await nextCode());
    await other.page.getByRole('button', { name: 'Save new password' }).click();
    await expect.poll(() => other.page.locator('#result').textContent()).toContain('Sign in with your new password');
    await signIn(other.page, email, 'a reset correct horse');
    await other.page.context().close();
    await page.context().close();
    expect(violations).toEqual([]);
  }, 120_000);
});
