import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { readMailbox, mailboxDir } from '../../src/mail/index.js';
import type { MailboxMessage } from '../../src/mail/index.js';
import { requireAll } from '../helpers/env.js';
import { freePort } from '../helpers/port.js';
import { startServe } from '../helpers/serve.js';
import type { ServeProcess } from '../helpers/serve.js';
import { totpAt, totpStep } from '../../src/core/totp.js';

/**
 * The browser tier: Debian's Chromium driven by playwright-core, against a
 * real `hush serve` child process on 127.0.0.1 with its own data folder.
 * Without /usr/bin/chromium the tier skips with its reason, unless
 * HUSH_TEST_REQUIRE_ALL=1, where it fails.
 */
export const CHROMIUM = '/usr/bin/chromium';

export const browserTier = ((): { skip: boolean; reason: string } => {
  if (existsSync(CHROMIUM)) return { skip: false, reason: '' };
  const reason = `${CHROMIUM} is not installed (apt-get install -y chromium)`;
  if (requireAll) throw new Error(`HUSH_TEST_REQUIRE_ALL=1 but ${reason}: the browser tier may not skip`);
  return { skip: true, reason };
})();

export const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');

export interface Served {
  server: ServeProcess;
  url: string;
  dataDir: string;
  mailbox(): Promise<MailboxMessage[]>;
  /** Waits for the newest mail to `to` whose subject matches, and returns its link to `page` (`/verify`, `/reset`…). */
  linkFor(to: string, page: string, after?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts `hush serve`. The port is chosen here rather than with HUSH_PORT=0:
 * with port 0 the default origin would be http://localhost:0 and links in
 * mail could not be followed. The URL is still read from the server's own
 * `hush is serving` log line.
 */
export async function serve(env: Record<string, string> = {}): Promise<Served> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hush-browser-'));
  const port = await freePort();
  const server = await startServe({
    HUSH_PORT: String(port),
    HUSH_ORIGIN: `http://127.0.0.1:${port}`,
    HUSH_DATA_DIR: dataDir,
    HUSH_LOG_LEVEL: 'debug',
    HUSH_ARGON2_MEMORY: '8192',
    HUSH_ARGON2_TIME: '1',
    HUSH_FLOOR_MIN: '5ms',
    HUSH_POW_DIFFICULTY: '5000',
    HUSH_SECRET: 'browser-test-secret-browser-test-secret-01',
    ...env,
  });
  const box = mailboxDir(dataDir);
  const mailbox = (): Promise<MailboxMessage[]> => readMailbox(box);
  return {
    server,
    url: server.url,
    dataDir,
    mailbox,
    async linkFor(to, page, after = 0) {
      for (let i = 0; i < 100; i++) {
        const mail = (await mailbox()).filter((m) => m.to.includes(to)).slice(after);
        const link = mail.flatMap((m) => m.links).filter((l) => new URL(l).pathname === page).pop();
        if (link !== undefined) return link;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no ${page} link in mail to ${to}`);
    },
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Chromium with a fresh profile (playwright creates a new temporary user-data-dir for every launch and removes it on close). */
export async function launch(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--font-render-hinting=none',
    ],
  });
  return { browser, close: () => browser.close() };
}

/** Every request a browser context makes, with its URL and Referer, for the "nothing leaves the page" checks. */
export interface NetworkLog {
  requests: { url: string; referer: string | undefined; method: string }[];
}

export function recordNetwork(context: BrowserContext): NetworkLog {
  const log: NetworkLog = { requests: [] };
  const add = (r: Request): void => {
    log.requests.push({ url: r.url(), referer: r.headers().referer, method: r.method() });
  };
  context.on('request', add);
  // Workers' requests (the proof-of-work solver) go through the context too.
  return log;
}

export async function newContext(browser: Browser, width = 1280): Promise<{ context: BrowserContext; page: Page; network: NetworkLog; consoleErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  const network = recordNetwork(context);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  return { context, page, network, consoleErrors };
}

export async function screenshot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

/** A unique address per test run. */
export function address(label: string): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}@example.com`;
}

/**
 * TOTP codes of successive steps for `key`, never one used before (hush spends each step once), each within the one
 * step of drift hush allows: waits when the next unused step is still too far ahead.
 */
export function totpCodes(key: Uint8Array): () => Promise<string> {
  let last = totpStep(Date.now()) - 2;
  return async () => {
    const step = Math.max(last + 1, totpStep(Date.now()) - 1);
    while (step > totpStep(Date.now()) + 1) await new Promise((r) => setTimeout(r, 250));
    last = step;
    return totpAt(key, step);
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** axe-core's violations (WCAG 2.2 AA) on the current page (evaluated through DevTools, so the page CSP stays as served). */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: tags } });
  }, WCAG_TAGS);
  return result.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}
