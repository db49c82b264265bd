import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { address, axeViolations, browserTier, launch, newContext, screenshot, serve } from './harness.js';
import type { Served } from './harness.js';

/**
 * The pages themselves, in Chromium against `hush serve` with the
 * proof-of-work on: screenshots of every page at 1280 and 375 px (written to
 * test-output/screenshots on every run), axe-core with the WCAG 2.2 AA tags on
 * every page, reflow at 320 px, pixel-identical pages after "forgot password"
 * and after sign-up for an existing and an unknown address, keyboard-only
 * sign-in, and a form-filling bot that trips the honeypot.
 */
const PASSWORD = 'pages correct horse';

describe.skipIf(browserTier.skip)(`hosted pages in a browser${browserTier.reason === '' ? '' : ` (skipped: ${browserTier.reason})`}`, () => {
  let served: Served;
  let chromium: Awaited<ReturnType<typeof launch>>;
  let browser: Browser;
  const existing = address('existing');

  /** axe-core's findings on the account page while it offers to choose a first password (checked in the every-page test). */
  const choosePasswordViolations: string[] = [];

  /** Sign up with the address, confirm, and choose the password on the account page, through the pages (mail read from the dev mailbox). */
  async function createAccount(email: string): Promise<void> {
    const { page, context } = await newContext(browser);
    await page.goto(`${served.url}/signup`);
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#result').waitFor({ state: 'visible', timeout: 20_000 });
    const link = await served.linkFor(email, '/verify');
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page.waitForURL(`${served.url}/account`);
    await expect(page.getByRole('heading', { name: 'Choose a password' }).isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Current password').count()).resolves.toBe(0);
    await screenshot(page, 'account-choose-password-1280');
    choosePasswordViolations.push(...(await axeViolations(page)).map((v) => `account-choose-password@1280 ${v}`));
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Save password' }).click();
    // (In beforeAll, where expect.poll is not available: wait for the reply instead.)
    await page.locator('#result-message', { hasText: 'Your password has been changed' }).waitFor({ state: 'visible', timeout: 20_000 });
    await context.close();
  }

  /** Submits one address to a form in a fresh context and returns the screenshot of the page after it. */
  async function after(path: string, button: string, email: string, name: string, fill?: (page: Page) => Promise<void>): Promise<Buffer> {
    const { page, context } = await newContext(browser);
    await page.goto(`${served.url}${path}`);
    await page.getByLabel('Email address').fill(email);
    if (fill) await fill(page);
    await page.getByRole('button', { name: button }).click();
    await page.locator('#result').waitFor({ state: 'visible', timeout: 20_000 });
    await page.locator('#result').evaluate((el) => (el as HTMLElement).blur());
    const shot = await screenshot(page, name);
    await context.close();
    return shot;
  }

  beforeAll(async () => {
    chromium = await launch();
    browser = chromium.browser;
    served = await serve({ HUSH_POW: 'on', HUSH_LIMIT_SIGNUP_ADDRESS: '100/10m', HUSH_LIMIT_RECOVERY_ADDRESS: '100/10m', HUSH_LIMIT_MAGIC_ADDRESS: '100/10m' });
    await createAccount(existing);
  }, 150_000);

  afterAll(async () => {
    await chromium?.close();
    await served?.stop();
  });

  // 33 page loads, each waiting for the network to be idle for 500 ms: about 25 s on an idle machine.
  it('every page: a screenshot at 1280 and 375 px, no axe-core WCAG 2.2 AA violation, no horizontal scroll at 320 px', async () => {
    const pages: [string, string][] = [
      ['login', '/login'],
      ['signup', '/signup'],
      ['forgot', '/forgot'],
      ['reset', '/reset'],
      ['reset-from-link', '/reset#token=not-a-real-token'],
      ['magic', '/magic'],
      ['magic-from-link', '/magic#token=not-a-real-token'],
      ['verify', '/verify'],
      ['verify-from-link', '/verify#token=not-a-real-token'],
      ['dev-mailbox', '/dev/mailbox'],
    ];
    const violations: string[] = [];
    for (const width of [1280, 375, 320]) {
      const { page, context } = await newContext(browser, width);
      for (const [name, path] of pages) {
        await page.goto(`${served.url}${path}`);
        await page.waitForLoadState('networkidle');
        // A link's token is taken from the fragment, which is then cleared (also when only the fragment changed).
        if (path.includes('#token=')) await expect.poll(() => page.evaluate(() => window.location.hash)).toBe('');
        if (width === 320) {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow, `${name} scrolls sideways at 320 px`).toBeLessThanOrEqual(0);
          continue;
        }
        await screenshot(page, `${name}-${width}`);
        violations.push(...(await axeViolations(page)).map((v) => `${name}@${width} ${v}`));
      }
      if (width !== 320) {
        // A form with errors tied to its fields, and the signed-in page.
        await page.goto(`${served.url}/login`);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect.poll(() => page.getByLabel('Email address').getAttribute('aria-invalid')).toBe('true');
        await screenshot(page, `login-errors-${width}`);
        violations.push(...(await axeViolations(page)).map((v) => `login-errors@${width} ${v}`));
        await page.getByLabel('Email address').fill(existing);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${served.url}/account`);
        await screenshot(page, `account-${width}`);
        violations.push(...(await axeViolations(page)).map((v) => `account@${width} ${v}`));
      }
      await context.close();
    }
    expect([...choosePasswordViolations, ...violations]).toEqual([]);
  }, 120_000);

  it('the page after "forgot password" is pixel-identical for an existing and an unknown address', async () => {
    const known = await after('/forgot', 'Email me a reset link', existing, 'forgot-done-existing');
    const unknown = await after('/forgot', 'Email me a reset link', address('nobody'), 'forgot-done-unknown');
    expect(known.equals(unknown)).toBe(true);
    await served.linkFor(existing, '/reset');
  });

  it('the page after sign-up is pixel-identical for an existing and an unknown address', async () => {
    // Sign-up asks for the address alone.
    const known = await after('/signup', 'Create account', existing, 'signup-done-existing');
    const unknown = await after('/signup', 'Create account', address('newcomer'), 'signup-done-unknown');
    expect(known.equals(unknown)).toBe(true);
  });

  it('signs in with the keyboard alone, with a visible focus on every stop', async () => {
    const { page, context } = await newContext(browser);
    await page.goto(`${served.url}/login`);
    const stops: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        return { id: el.id || el.tagName, name: el.getAttribute('name'), outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
      });
      expect(focus.outline, `focus not visible on ${focus.id}`).toBe(true);
      stops.push(focus.name ?? focus.id);
      if (focus.name === 'email') await page.keyboard.type(existing);
      if (focus.name === 'password') {
        await page.keyboard.type(PASSWORD);
        await page.keyboard.press('Enter');
        break;
      }
    }
    await page.waitForURL(`${served.url}/account`);
    expect(stops).toContain('email');
    expect(stops).not.toContain('website'); // the honeypot is never a tab stop
    await context.close();
  });

  it('says what to do when the proof-of-work cannot be solved, and sends nothing', async () => {
    const { page, context, network } = await newContext(browser);
    await page.route('**/v1/pow/challenge**', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{}' }));
    await page.goto(`${served.url}/forgot`);
    await page.getByLabel('Email address').fill(existing);
    await page.getByRole('button', { name: 'Email me a reset link' }).click();
    await expect.poll(() => page.locator('#forgot-alert').textContent(), { timeout: 20_000 }).toContain('Reload the page and try again');
    expect(await page.locator('#result').isVisible()).toBe(false);
    expect(network.requests.filter((r) => r.method === 'POST')).toEqual([]);
    await screenshot(page, 'forgot-pow-failed-1280');
    await context.close();
  });

  it('a bot that fills every field trips the honeypot: no mail, and the same page a person sees', async () => {
    const person = await after('/signup', 'Create account', address('person'), 'signup-done-person');
    const bot = address('bot');
    const before = (await served.mailbox()).length;
    const shot = await after('/signup', 'Create account', bot, 'signup-done-bot', async (page) => {
      // What a form-filling bot does: every input gets a value, visible or not.
      await page.locator('input[name="website"]').fill('https://spam.example', { force: true });
    });
    expect(shot.equals(person)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500)); // the outbox worker polls every 200 ms
    const mail = await served.mailbox();
    expect(mail.filter((m) => m.to.includes(bot))).toEqual([]);
    expect(mail.length).toBeGreaterThanOrEqual(before);
  });
});
