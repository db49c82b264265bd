import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import type { Express, RequestHandler } from 'express';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Hush } from '../../src/index.js';
import { testHush, tokenOf } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';
import { sessionCookieOf } from '../helpers/accounts.js';
import { freePort } from '../helpers/port.js';

/**
 * docs/library.md's mounting examples, run as written: each ```ts block that
 * starts `// example: NAME` is written to test-output/examples/NAME.ts with
 * `'hush'` pointing at the source, and imported. Express 5 and Fastify 5 are
 * real servers on 127.0.0.1; Next.js is its route-handler contract: a Web
 * `Request` with the full URL in, a `Response` out.
 */
const ROOT = resolve('.');
const DIR = join(ROOT, 'test-output', 'examples');

function writeExamples(): Set<string> {
  mkdirSync(DIR, { recursive: true });
  const doc = ['library.md', 'deploying.md'].map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8')).join('\n');
  const names = new Set<string>();
  for (const m of doc.matchAll(/```ts\n\/\/ example: ([\w-]+)\n([\s\S]*?)```/g)) {
    const [, name = '', code = ''] = m;
    const source = code.replaceAll("from 'hush'", `from '${pathToFileURL(join(ROOT, 'src', 'index.ts')).href}'`).replaceAll("from '@/lib/hush'", "from './next-lib.ts'");
    writeFileSync(join(DIR, `${name}.ts`), source);
    names.add(name);
  }
  return names;
}
const load = async <T,>(name: string): Promise<T> => (await import(pathToFileURL(join(DIR, `${name}.ts`)).href)) as T;

/** Sign-up, the mailed link, verify and the page behind the check, all through the framework's server at `base`. */
async function journey(base: string, linkFor: (to: string) => Promise<string>, email: string): Promise<string> {
  const locked = await fetch(`${base}/orders`, { redirect: 'manual' });
  expect(locked.status).toBe(302);
  expect(locked.headers.get('location')).toBe('/auth/login?return_to=%2Forders');
  const page = await fetch(`${base}/auth/login`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('action="/auth/login"');
  const signup = await fetch(`${base}/auth/v1/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
  expect(signup.status).toBe(202);
  const link = await linkFor(email);
  expect(new URL(link).pathname).toBe('/auth/verify');
  const verified = await fetch(`${base}/auth/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${tokenOf(link)}` });
  expect(verified.status).toBe(200);
  const cookie = sessionCookieOf(verified);
  const session = (await (await fetch(`${base}/auth/v1/session`, { headers: { cookie } })).json()) as { id: string };
  const orders = await fetch(`${base}/orders`, { headers: { cookie } });
  expect(orders.status).toBe(200);
  expect(await orders.json()).toEqual({ identity: session.id });
  // A body too large is refused by hush itself, through the framework.
  const big = await fetch(`${base}/auth/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'x'.repeat(20_000) }) });
  expect(big.status).toBe(413);
  return cookie;
}

describe('mounting hush (docs/library.md)', () => {
  let port: number;
  let t: TestHush;
  let names: Set<string>;
  const servers: Server[] = [];

  beforeAll(async () => {
    names = writeExamples();
    port = await freePort();
    t = await testHush({ HUSH_BASE_PATH: '/auth', HUSH_ORIGIN: `http://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    await t.close();
  });

  it('the doc has the four examples', () => {
    expect([...names].sort()).toEqual(['express', 'fastify', 'next-lib', 'next-route', 'session-check']);
  });

  it('Express 5', async () => {
    const { withHush } = await load<{ withHush: (h: Hush) => Express }>('express');
    const server = withHush(t.hush).listen(port, '127.0.0.1');
    servers.push(server);
    await new Promise((r) => server.once('listening', r));
    const cookie = await journey(`http://127.0.0.1:${port}`, (to) => t.linkFor(to, '/auth/verify#token='), 'express@example.test');

    // docs/deploying.md's session check, in another Express app that asks this hush over HTTP.
    const { hushSession } = await load<{ hushSession: (o: { hush: string; apiKey: string }) => RequestHandler }>('session-check');
    const apiKey = (await t.hush.stores.apiKeys.create('orders-api', ['session'])).key;
    const api = express();
    api.get('/api/orders', hushSession({ hush: `http://127.0.0.1:${port}`, apiKey }), (_req, res) => {
      res.json({ identity: res.locals.identity as string });
    });
    const apiServer = api.listen(0, '127.0.0.1');
    servers.push(apiServer);
    await new Promise((r) => apiServer.once('listening', r));
    const apiUrl = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}/api/orders`;
    const session = (await (await fetch(`http://127.0.0.1:${port}/auth/v1/session`, { headers: { cookie } })).json()) as { id: string };
    const ok = await fetch(apiUrl, { headers: { cookie: `theme=dark; ${cookie}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ identity: session.id });
    expect((await fetch(apiUrl)).status).toBe(401);
    expect((await fetch(apiUrl, { headers: { cookie: 'hush_session=forged' } })).status).toBe(401);
    const wrongKey = express();
    wrongKey.get('/x', hushSession({ hush: `http://127.0.0.1:${port}`, apiKey: 'hush_nope' }), (_req, res) => res.json({}));
    const wrongServer = wrongKey.listen(0, '127.0.0.1');
    servers.push(wrongServer);
    await new Promise((r) => wrongServer.once('listening', r));
    expect((await fetch(`http://127.0.0.1:${(wrongServer.address() as AddressInfo).port}/x`, { headers: { cookie } })).status).toBe(401);
  });

  it('Fastify 5', async () => {
    const { withHush } = await load<{ withHush: (h: Hush) => FastifyInstance }>('fastify');
    const app = withHush(t.hush);
    const own = await freePort();
    await app.listen({ port: own, host: '127.0.0.1' });
    try {
      await journey(`http://127.0.0.1:${own}`, (to) => t.linkFor(to, '/auth/verify#token='), 'fastify@example.test');
    } finally {
      await app.close();
    }
  });

  it('a Next.js route handler: a Web Request in, a Response out', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hush-next-'));
    const env = { HUSH_BASE_PATH: '/auth', HUSH_ORIGIN: 'https://shop.example.test', HUSH_DATA_DIR: dataDir, HUSH_LOG_LEVEL: 'silent', HUSH_POW: 'off', HUSH_ARGON2_MEMORY: '8192', HUSH_ARGON2_TIME: '1', HUSH_METRICS_LISTEN: 'off', HUSH_SECRET: 'next-secret-next-secret-next-secret-0123' };
    Object.assign(process.env, env);
    const route = await load<Record<'GET' | 'POST' | 'HEAD' | 'OPTIONS', (r: Request) => Promise<Response>>>('next-route');
    const lib = await load<{ hush: () => Promise<Hush> }>('next-lib');
    const hush = await lib.hush();
    try {
      const page = await route.GET(new Request('https://shop.example.test/auth/login?return_to=%2Forders'));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<input type="hidden" name="return_to" value="https://shop.example.test/orders"/>');
      const signup = await route.POST(new Request('https://shop.example.test/auth/v1/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"next@example.test"}' }));
      expect(signup.status).toBe(202);
      for (let i = 0; i < 20 && (await hush.worker.runOnce()) > 0; i++);
      const mail = readFileSync(join(dataDir, 'mailbox', (await import('node:fs')).readdirSync(join(dataDir, 'mailbox')).find((f) => f.endsWith('.eml')) ?? ''), 'utf8');
      expect(mail).toContain('https://shop.example.test/auth/verify#token=');
      const forward = await route.GET(new Request('https://shop.example.test/auth/v1/forward-auth'));
      expect(forward.status).toBe(401);
      expect((await route.HEAD(new Request('https://shop.example.test/auth/healthz', { method: 'HEAD' }))).status).toBe(200);
    } finally {
      await hush.close();
      for (const k of Object.keys(env)) Reflect.deleteProperty(process.env, k);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
