import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { address, browserTier, launch, newContext, screenshot, serve } from './harness.js';
import type { NetworkLog, Served } from './harness.js';

/**
 * The journeys a person takes, by clicking and typing, against `hush serve`
 * with the proof-of-work on (the widget solves on every mail-sending form).
 * Afterwards: no request left hush's origin, and no token from any mail ever
 * appeared in a request URL, a Referer header or the server's debug log.
 */
describe.skipIf(browserTier.skip)(`browser journeys${browserTier.reason === '' ? '' : ` (skipped: ${browserTier.reason})`}`, () => {
  let served: Served;
  let browser: Awaited<ReturnType<typeof launch>>;
  const networks: NetworkLog[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    browser = await launch();
    served = await serve({ HUSH_POW: 'on' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  const open = async (): Promise<Page> => {
    const { page, network, consoleErrors: errors } = await newContext(browser.browser);
    networks.push(network);
    page.on('close', () => consoleErrors.push(...errors));
    return page;
  };

  /** Opens the dev mailbox and clicks the newest link to `path`, as a person would. */
  const followMail = async (page: Page, path: string): Promise<void> => {
    await page.goto(`${served.url}/dev/mailbox`);
    await page.locator(`a[href*="${path}#token="]`).first().click();
    await page.waitForURL((u) => u.pathname === path);
    // The page took the token from the fragment and cleared it from the address bar.
    await expect.poll(() => new URL(page.url()).hash).toBe('');
  };

  it('sign up, verify, choose a password, sign out, forget, reset, sign in with the new password; the old one no longer works', async () => {
    const page = await open();
    const email = address('journey');
    await page.goto(`${served.url}/signup`);
    await page.getByLabel('Email address').fill(email);
    // Sign-up asks for the address alone: the password comes after the mailbox is proven.
    await expect(page.getByLabel('Password').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toContain('Check your inbox');
    await served.linkFor(email, '/verify');

    await followMail(page, '/verify');
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page.waitForURL(`${served.url}/account`);
    await expect.poll(() => page.locator('main').textContent()).toContain('j***@example.com');
    // No password yet: the account page offers to choose one, without asking for a current one.
    await expect(page.getByLabel('Current password').count()).resolves.toBe(0);
    await page.getByLabel('New password').fill('first correct horse');
    await page.getByRole('button', { name: 'Save password' }).click();
    await expect.poll(() => page.locator('#result').textContent()).toContain('Your password has been changed');

    await page.getByRole('button', { name: 'Sign out of this device' }).click();
    await page.waitForURL(`${served.url}/login`);
    await page.goto(`${served.url}/account`);
    await page.waitForURL(`${served.url}/login`);

    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a reset link' }).click();
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toContain('Check your inbox');
    await served.linkFor(email, '/reset');

    await followMail(page, '/reset');
    await expect(page.getByLabel('Reset code').isVisible()).resolves.toBe(false);
    await page.getByLabel('New password').fill('second correct horse');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await expect.poll(() => page.locator('#result').textContent()).toContain('Sign in with your new password');

    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('first correct horse');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#login-alert').textContent()).toContain('do not match');
    await page.getByLabel('Password').fill('second correct horse');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${served.url}/account`);
    await page.getByLabel('Current password').fill('second correct horse');
    await page.getByLabel('New password').fill('third correct horse');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.locator('#result').textContent()).toContain('Your password has been changed');
    await screenshot(page, 'journey-password-changed-1280');
    await page.close();
  });

  it('after failed sign-ins the login page solves the proof-of-work the server then asks for, on its own', async () => {
    const page = await open();
    const email = address('pow-login');
    await page.goto(`${served.url}/login`);
    const challenges = (): number => networks.flatMap((n) => n.requests).filter((r) => r.url.includes('/v1/pow/challenge?action=login')).length;
    const before = challenges();
    for (let i = 0; i < 4; i++) {
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('Password').fill(`wrong password ${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('#login-alert').textContent(), { timeout: 20_000 }).toContain('do not match');
      await page.locator('#login-alert').evaluate((el) => (el.textContent = ''));
    }
    expect(challenges()).toBeGreaterThan(before);
    await page.close();
  });

  it('a magic link for an unknown address creates the account and signs in', async () => {
    const page = await open();
    const email = address('magic');
    await page.goto(`${served.url}/magic`);
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await expect.poll(() => page.locator('#result').textContent(), { timeout: 20_000 }).toContain('Check your inbox');
    await served.linkFor(email, '/magic');

    await followMail(page, '/magic');
    await expect(page.getByRole('heading', { name: 'Get a link by email' }).isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${served.url}/account`);
    await expect.poll(() => page.locator('main').textContent()).toContain('m***@example.com');
    await page.close();
  });

  it('nothing leaves the page: every request stays on hush, and no token is in a URL, a Referer or the log', async () => {
    const tokens = (await served.mailbox()).flatMap((m) => m.links).flatMap((l) => (l.includes('#token=') ? [l.split('#token=')[1]!] : []));
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    const requests = networks.flatMap((n) => n.requests);
    expect(requests.length).toBeGreaterThan(20);
    for (const r of requests) {
      expect(new URL(r.url).origin, r.url).toBe(served.url);
      expect(r.referer ?? '', `Referer sent with ${r.url}`).toBe('');
      for (const t of tokens) expect(r.url).not.toContain(t);
    }
    const log = served.server.output();
    expect(log).toContain('"level":20'); // the server really logged at debug level
    for (const t of tokens) expect(log).not.toContain(t);
    // Chromium logs every 4xx reply to fetch as an error; those are the flows' own replies (wrong password, proof-of-work asked for).
    // Anything else (a CSP violation, a script error) fails the test.
    expect(consoleErrors.filter((e) => !/^Failed to load resource: the server responded with a status of 4(00|01)/.test(e))).toEqual([]);
  });
});
