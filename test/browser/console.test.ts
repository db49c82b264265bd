import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, browserTier, launch, newContext, serve, totpCodes } from './harness.js';
import { base32Decode } from '../../src/core/totp.js';
import type { Served } from './harness.js';
import { mailboxDir, readMailbox } from '../../src/mail/index.js';
import type { MailboxMessage } from '../../src/mail/index.js';
import { runCli } from '../helpers/cli.js';
import { postgresTier } from '../helpers/env.js';
import { freshPostgres } from '../helpers/postgres.js';
import type { FreshDatabase } from '../helpers/postgres.js';

/**
 * The security console in Chromium, against `hush serve` filled by `hush
 * demo`: an operator signs in on the hosted pages, finds the enumeration
 * signal marked on the overview's reset chart, opens it, blocks the address
 * from the signal's page, and the next reset from that address is answered
 * as usual but silently (the block guard's event, no mail). A signed-in
 * identity without the role gets the app's 404 everywhere under /console.
 * Every console page is axe-clean (WCAG 2.2 AA); the screenshots at 1280 and
 * 375 px are taken every run, and written over the ones in docs/console.md
 * with HUSH_UPDATE_SCREENSHOTS=1 (else into a temporary folder, so a test run
 * never changes the work tree). On PostgreSQL when
 * HUSH_TEST_DATABASE_URL is set (it starts faster), else the embedded store.
 */
const DOCS = process.env.HUSH_UPDATE_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'console') : mkdtempSync(join(tmpdir(), 'hush-console-shots-'));
const OPERATOR = 'ops@example.com';
const PASSWORD = 'console operator passphrase';
const ENUMERATOR = '203.0.113.66';

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(DOCS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

describe.skipIf(browserTier.skip)(`the security console in a browser${browserTier.reason === '' ? '' : ` (skipped: ${browserTier.reason})`}`, () => {
  let served: Served;
  let chromium: Awaited<ReturnType<typeof launch>>;
  let browser: Browser;
  let dataDir: string;
  let database: FreshDatabase | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hush-console-'));
    const pg = postgresTier();
    database = pg.url === undefined ? undefined : await freshPostgres(pg.url);
    const env = { HUSH_DATA_DIR: dataDir, HUSH_POW: 'off', HUSH_TRUST_PROXY: '127.0.0.1/32', ...(database === undefined ? {} : { DATABASE_URL: database.url }) };
    const demo = await runCli(['demo', '--no-serve', '--email', OPERATOR, '--password-stdin'], { env, input: PASSWORD });
    expect(demo.code, demo.stderr).toBe(0);
    [served, chromium] = await Promise.all([serve(env), launch()]);
    browser = chromium.browser;
  }, 180_000);
  /** The server writes mail into the data folder the demo filled (not the harness's own). */
  const mailbox = (): Promise<MailboxMessage[]> => readMailbox(mailboxDir(dataDir));
  const linkFor = async (to: string, path: string): Promise<string> => {
    for (let i = 0; i < 100; i++) {
      const link = (await mailbox()).filter((m) => m.to.includes(to)).flatMap((m) => m.links).filter((l) => new URL(l).pathname === path).pop();
      if (link !== undefined) return link;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${path} link in mail to ${to}`);
  };

  afterAll(async () => {
    await chromium?.close();
    await served?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an operator finds the signal on the chart, blocks its address from its page, and the next reset from it is silent', async () => {
    const violations: string[] = [];
    const { page, context } = await newContext(browser, 1280);
    const signIn = async (): Promise<void> => {
      await page.goto(`${served.url}/login`);
      await page.getByLabel('Email address').fill(OPERATOR);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
    };
    await signIn();
    await page.waitForURL(`${served.url}/account`);
    // Without TOTP the console is the app's 404, even for an operator.
    expect((await page.goto(`${served.url}/console`))?.status()).toBe(404);

    // The operator turns TOTP on from the security page, signs out, and signs in again with a code.
    await page.goto(`${served.url}/account/security`);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const key = base32Decode(((await page.locator('code.secret').textContent()) ?? '').replace(/\s/g, ''));
    if (key === null) throw new Error('no key on the setup page');
    const nextCode = totpCodes(key);
    await page.getByLabel('The 6-digit code your app shows now').fill(await nextCode());
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await expect.poll(() => page.locator('ol.codes li').count()).toBe(10);
    // The session from before TOTP never passed a second factor.
    expect((await page.goto(`${served.url}/console`))?.status()).toBe(404);
    await page.goto(`${served.url}/account`);
    await page.getByRole('button', { name: 'Sign out of this device' }).click();
    await page.waitForURL(`${served.url}/login`);
    await signIn();
    await page.waitForURL(`${served.url}/login/second-factor`);
    await page.getByLabel('Code', { exact: true }).fill(await nextCode());
    await page.keyboard.press('Enter');
    await page.waitForURL(`${served.url}/account`);

    await page.goto(`${served.url}/console`);
    const chart = page.locator('figure', { has: page.locator('figcaption', { hasText: 'Password reset requests' }) });
    const mark = chart.locator('a.mark[aria-label^="Signal: User enumeration through password reset"]').first();
    await expect(mark.count()).resolves.toBeGreaterThan(0);
    violations.push(...(await axeViolations(page)).map((v) => `overview ${v}`));
    await shot(page, 'overview-1280');

    await mark.click();
    await page.waitForURL(/\/console\/signals\/[A-Za-z0-9_-]+$/);
    const signalUrl = page.url();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('User enumeration through password reset');
    await expect(page.getByText(`network.client.ip=${ENUMERATOR}`).first().isVisible()).resolves.toBe(true);
    violations.push(...(await axeViolations(page)).map((v) => `signal ${v}`));
    await shot(page, 'signal-1280');

    await page.getByRole('button', { name: 'Block this address' }).click();
    await page.waitForURL(/done=blocked$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Blocked.');
    await expect(page.locator('li', { hasText: `${ENUMERATOR}/32 by console, until` }).isVisible()).resolves.toBe(true);

    // The next reset from that address: the usual reply, and nothing but the guard's event behind it.
    const reset = (ip: string): Promise<Response> =>
      fetch(`${served.url}/v1/recovery`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ email: 'user003@example.com' }) });
    const [blocked, usual] = [await reset(ENUMERATOR), await reset('192.0.2.200')];
    expect([blocked.status, await blocked.text()]).toEqual([usual.status, await usual.text()]);
    await linkFor('user003@example.com', '/reset'); // the unblocked one's mail arrives…
    let seen = 0;
    for (let i = 0; i < 50 && seen === 0; i++) {
      await page.goto(`${served.url}/console/events?address=${ENUMERATOR}&name=hush.guard.blocked`);
      seen = await page.locator('td.mono', { hasText: 'hush.guard.blocked' }).count();
      if (seen === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(seen).toBe(1);
    expect((await mailbox()).filter((m) => m.to.includes('user003@example.com'))).toHaveLength(1); // …and the blocked one's never does
    violations.push(...(await axeViolations(page)).map((v) => `events ${v}`));
    await shot(page, 'events-1280');

    await page.goto(`${served.url}/console/answers`);
    await expect(page.locator('td', { hasText: `${ENUMERATOR}/32` }).first().isVisible()).resolves.toBe(true);
    violations.push(...(await axeViolations(page)).map((v) => `answers ${v}`));
    await shot(page, 'answers-1280');
    await page.goto(`${served.url}/console/signals`);
    violations.push(...(await axeViolations(page)).map((v) => `signals ${v}`));

    // The phone width: the same pages, still usable and clean.
    const cookies = await context.cookies();
    const narrow = await newContext(browser, 375);
    await narrow.context.addCookies(cookies);
    for (const [path, name] of [['/console', 'overview-375'], [new URL(signalUrl).pathname, 'signal-375']] as const) {
      await narrow.page.goto(`${served.url}${path}`);
      violations.push(...(await axeViolations(narrow.page)).map((v) => `${name} ${v}`));
      await shot(narrow.page, name);
    }
    await narrow.context.close();
    await context.close();
    expect(violations).toEqual([]);
  });

  it('an identity without the role sees the app 404 everywhere under /console', async () => {
    const ask = await fetch(`${served.url}/v1/magic-link`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'user001@example.com' }) });
    expect(ask.status).toBe(202);
    const link = await linkFor('user001@example.com', '/magic');
    const confirm = await fetch(`${served.url}/v1/magic-link/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: new URL(link).hash.replace('#token=', '') }) });
    expect(confirm.status).toBe(200);
    const [name = '', value = ''] = (confirm.headers.get('set-cookie') ?? '').split(';')[0]?.split('=') ?? [];
    const { page, context } = await newContext(browser, 1280);
    await context.addCookies([{ name, value, url: served.url }]);
    await page.goto(`${served.url}/account`);
    expect(new URL(page.url()).pathname).toBe('/account');
    const notFound = await page.goto(`${served.url}/no-such-page`);
    const expected = { status: notFound?.status(), body: await notFound?.text() };
    expect(expected.status).toBe(404);
    for (const path of ['/console', '/console/signals', '/console/answers', '/console/events', '/console/signals/x']) {
      const res = await page.goto(`${served.url}${path}`);
      expect({ path, status: res?.status(), body: await res?.text() }).toEqual({ path, ...expected });
    }
    await context.close();
  });
});
