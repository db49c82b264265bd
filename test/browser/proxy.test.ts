import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, browserTier, launch, newContext, serve } from './harness.js';
import type { Served } from './harness.js';
import { requireAll } from '../helpers/env.js';
import { freePort } from '../helpers/port.js';
import { tokenOf } from '../helpers/hush.js';
import { sessionCookieOf } from '../helpers/accounts.js';

/**
 * A real proxy: Debian's nginx, run as a child with its own prefix in a temp
 * folder, with docs/deploying/nginx.conf (the file docs/deploying.md shows,
 * only its three ports replaced), in front of a tiny app and `hush serve`
 * under /auth. In Chromium: a visit to a protected page goes to hush's
 * sign-in, signing in comes back to that page, the app sees the identity,
 * signing out locks the page again.
 */
const NGINX = '/usr/sbin/nginx';
const nginxTier = ((): { skip: boolean; reason: string } => {
  if (browserTier.skip) return browserTier;
  if (existsSync(NGINX)) return { skip: false, reason: '' };
  const reason = `${NGINX} is not installed (apt-get install -y nginx)`;
  if (requireAll) throw new Error(`HUSH_TEST_REQUIRE_ALL=1 but ${reason}: the proxy test may not skip`);
  return { skip: true, reason };
})();

/** The doc's config with the ports this run picked. Every port it names must be replaced. */
export function nginxConfig(ports: { proxy: number; hush: number; app: number }): string {
  let conf = readFileSync(join('docs', 'deploying', 'nginx.conf'), 'utf8');
  // docs/deploying.md shows this very file.
  if (!readFileSync(join('docs', 'deploying.md'), 'utf8').includes(`\`\`\`nginx\n${conf}\`\`\``)) throw new Error('docs/deploying.md no longer shows docs/deploying/nginx.conf as it is');
  for (const [from, to] of [['127.0.0.1:8000', ports.proxy], ['127.0.0.1:8080', ports.hush], ['127.0.0.1:3000', ports.app]] as const) {
    if (!conf.includes(from)) throw new Error(`docs/deploying/nginx.conf no longer names ${from}`);
    conf = conf.replaceAll(from, `127.0.0.1:${to}`);
  }
  return conf;
}

async function startNginx(dir: string, conf: string, port: number): Promise<{ child: ChildProcess; log(): string; stop(): Promise<void> }> {
  writeFileSync(join(dir, 'hush.conf'), conf);
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} info;`,
      'events { worker_connections 64; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, t)};`),
      `  include ${join(dir, 'hush.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = (): string => `${out}${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited:\n${log()}`);
    const up = await fetch(`http://127.0.0.1:${port}/auth/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    if (i > 100) throw new Error(`nginx did not answer in 10 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    log,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

describe.skipIf(nginxTier.skip)(`behind nginx${nginxTier.reason === '' ? '' : ` (skipped: ${nginxTier.reason})`}`, () => {
  let dir: string;
  let served: Served;
  let app: Server;
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  let browser: Awaited<ReturnType<typeof launch>>;
  let proxy: string;
  const seen: { url: string; identity: string | undefined }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hush-nginx-'));
    const [proxyPort, appPort] = [await freePort(), await freePort()];
    proxy = `http://127.0.0.1:${proxyPort}`;
    // The tiny app: a page that says who nginx says is there.
    app = createServer((req, res) => {
      const identity = req.headers['x-hush-identity'];
      seen.push({ url: req.url ?? '', identity: typeof identity === 'string' ? identity : undefined });
      const safe = (s: string): string => s.replace(/[^\w/?&=.-]/g, '');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!DOCTYPE html><title>Orders</title><h1>Orders</h1><p id="identity">${safe(String(identity ?? ''))}</p><p id="url">${safe(req.url ?? '')}</p>`);
    });
    await new Promise<void>((resolve) => app.listen(appPort, '127.0.0.1', resolve));
    [browser, served] = await Promise.all([launch(), serve({ HUSH_ORIGIN: proxy, HUSH_BASE_PATH: '/auth', HUSH_TRUST_PROXY: '1', HUSH_POW: 'off' })]);
    nginx = await startNginx(dir, nginxConfig({ proxy: proxyPort, hush: Number(new URL(served.url).port), app: appPort }), proxyPort);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await nginx?.stop();
    await served?.stop();
    await new Promise((r) => (app ? app.close(r) : r(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a protected page sends the visitor to sign in and back; the app sees the identity; signing out locks it again', async () => {
    // An account, made through the proxy as the API's users would.
    const email = address('proxy');
    const password = 'correct horse battery staple';
    const post = (path: string, body: unknown, cookie = ''): Promise<Response> =>
      fetch(`${proxy}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
    expect((await post('/auth/v1/signup', { email })).status).toBe(202);
    const verified = await post('/auth/v1/verify', { token: tokenOf(await served.linkFor(email, '/auth/verify')) });
    expect(verified.status).toBe(200);
    const cookie = sessionCookieOf(verified);
    expect((await post('/auth/v1/password', { password }, cookie)).status).toBe(200);
    const identity = ((await (await fetch(`${proxy}/auth/v1/session`, { headers: { cookie } })).json()) as { id: string }).id;

    // Without a session nothing reaches the app, whatever header the visitor sends.
    const wanted = `${proxy}/orders/42?tab=open&page=2`;
    const direct = await fetch(wanted, { redirect: 'manual', headers: { 'x-hush-identity': identity } });
    expect(direct.status).toBe(302);
    expect(direct.headers.get('location')).toBe(`${proxy}/auth/login?return_to=${encodeURIComponent(wanted)}`);
    expect(seen).toEqual([]);

    const { page } = await newContext(browser.browser);
    await page.goto(wanted);
    await page.waitForURL((u) => u.pathname === '/auth/login');
    expect(new URL(page.url()).searchParams.get('return_to')).toBe(wanted);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(wanted, { timeout: 20_000 });
    await expect.poll(() => page.locator('#identity').textContent()).toBe(identity);
    expect(seen).toContainEqual({ url: '/orders/42?tab=open&page=2', identity });
    expect(seen.every((s) => s.identity === identity)).toBe(true);

    // Sign out on hush's account page: the app's page is locked again.
    await page.goto(`${proxy}/auth/account`);
    await page.getByRole('button', { name: 'Sign out of this device' }).click();
    await page.waitForURL((u) => u.pathname === '/auth/login');
    const before = seen.length;
    await page.goto(`${proxy}/orders/42`);
    await page.waitForURL((u) => u.pathname === '/auth/login');
    expect(new URL(page.url()).searchParams.get('return_to')).toBe(`${proxy}/orders/42`);
    expect(seen.length).toBe(before);
    expect(nginx.log()).not.toMatch(/\[(emerg|alert|crit)\]/);
  }, 90_000);
});
