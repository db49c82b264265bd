import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../src/guard/address.js';
import { ProxyTrust } from '../../src/guard/address.js';
import { powApi } from '../../src/http/api/pow.js';
import { blockAdmin } from '../../src/http/admin/blocks.js';
import { cors, refuseInsecureTokens, securityHeaders } from '../../src/http/security.js';
import { rig, solve } from '../unit/guard/fixture.js';

/** What @hono/node-server passes as `c.env`: the socket under the request. */
const env = (remoteAddress: string, encrypted = false): Record<string, unknown> => ({ incoming: { socket: { remoteAddress, encrypted } } });

function hardened(origin: string, corsOrigins: string[] = [], trust?: ProxyTrust): Hono {
  const app = new Hono();
  app.use('*', securityHeaders({ origin }));
  app.use('*', cors({ origins: corsOrigins }));
  app.use('*', refuseInsecureTokens({ origin, trust }));
  app.get('/v1/session', (c) => c.json({ ok: true }));
  app.post('/v1/recovery/confirm', (c) => c.json({ ok: true }));
  app.get('/page', (c) => c.html('<p>hi</p>'));
  app.get('/asset.js', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body('1', 200, { 'Content-Type': 'text/javascript' });
  });
  return app;
}

describe('security headers', () => {
  it('JSON: nosniff, no referrer, no-store, CSP default-src none, no framing; HSTS only for https origins', async () => {
    const res = await hardened('https://id.example.com').request('https://id.example.com/v1/session');
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.get('Content-Security-Policy')).toMatch(/^default-src 'none';.*frame-ancestors 'none'/);
    expect(res.headers.get('Strict-Transport-Security')).toMatch(/max-age=\d+/);
    const plain = await hardened('http://localhost:8080').request('http://localhost:8080/v1/session');
    expect(plain.headers.get('Strict-Transport-Security')).toBeNull();
  });

  it('pages get the page CSP; a handler that chose its own caching keeps it', async () => {
    const app = hardened('http://localhost:8080');
    const page = await app.request('/page');
    expect(page.headers.get('Content-Security-Policy')).toContain("script-src 'self'");
    expect(page.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('Cache-Control')).toBe('no-store');
    expect((await app.request('/asset.js')).headers.get('Cache-Control')).toBe('public, max-age=3600');
  });
});

describe('CORS', () => {
  it('closed by default: no CORS headers, preflight refused', async () => {
    const app = hardened('http://localhost:8080');
    const res = await app.request('/v1/session', { headers: { Origin: 'https://evil.example' } });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const pre = await app.request('/v1/session', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(403);
  });

  it('an allow-listed origin is echoed, with credentials, and its preflight answered', async () => {
    const app = hardened('http://localhost:8080', ['https://app.example']);
    const res = await app.request('/v1/session', { headers: { Origin: 'https://app.example' } });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example');
    expect(res.headers.get('Vary')).toContain('Origin');
    const pre = await app.request('/v1/session', { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    const other = await app.request('/v1/session', { headers: { Origin: 'https://app.example.evil' } });
    expect(other.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});

describe('token-bearing requests over plain http', () => {
  const origin = 'https://id.example.com';
  it('are refused when the origin is https; over TLS, or from a trusted proxy saying https, they pass', async () => {
    const app = hardened(origin, [], new ProxyTrust({ hops: 0, cidrs: ['10.0.0.0/8'] }));
    const confirm = { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } };
    const plain = await app.request('http://id.example.com/v1/recovery/confirm', confirm, env('203.0.113.7'));
    expect(plain.status).toBe(403);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('HUSH_INSECURE_TRANSPORT');
    expect(plain.headers.get('X-Content-Type-Options')).toBe('nosniff'); // still hardened
    expect((await app.request('http://id.example.com/v1/session', { headers: { Cookie: 'hush_session=x' } }, env('203.0.113.7'))).status).toBe(403);
    expect((await app.request('http://id.example.com/v1/recovery/confirm', confirm, env('203.0.113.7', true))).status).toBe(200);
    const viaProxy = { ...confirm, headers: { ...confirm.headers, 'X-Forwarded-Proto': 'https' } };
    expect((await app.request('http://id.example.com/v1/recovery/confirm', viaProxy, env('10.0.0.5'))).status).toBe(200);
    // The same header from an untrusted peer is a lie.
    expect((await app.request('http://id.example.com/v1/recovery/confirm', viaProxy, env('203.0.113.7'))).status).toBe(403);
    // An absolute-form request target cannot claim https when the socket says otherwise.
    expect((await app.request('https://id.example.com/v1/recovery/confirm', confirm, env('203.0.113.7'))).status).toBe(403);
    // Without a token nothing is refused.
    expect((await app.request('http://id.example.com/v1/session', {}, env('203.0.113.7'))).status).toBe(200);
  });

  it('with an http origin (development) nothing is refused', async () => {
    const app = hardened('http://localhost:8080');
    expect((await app.request('http://localhost:8080/v1/recovery/confirm', { method: 'POST', body: '{}' }, env('127.0.0.1'))).status).toBe(200);
  });
});

describe('GET /v1/pow/challenge', () => {
  it('returns a signed challenge for the action at this client’s difficulty, never cached', async () => {
    const { guards, config } = await rig();
    const address = (c: Context): string => clientAddress((c.env as { incoming: { socket: { remoteAddress: string } } }).incoming.socket.remoteAddress, c.req.raw.headers, guards.trust);
    const app = powApi({ guards, clientAddress: address });
    const res = await app.request('/v1/pow/challenge?action=recovery', {}, env('203.0.113.7'));
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const challenge = (await res.json()) as { parameters: { data: { action: string; difficulty: number } }; signature: string };
    expect(challenge.parameters.data).toEqual({ action: 'recovery', difficulty: config.powDifficulty });
    expect(challenge.signature).toMatch(/^[0-9a-f]{64}$/);
    const pow = await solve(challenge);
    expect((await guards.check({ action: 'recovery', address: '203.0.113.7', identifier: 'a@example.com', fields: { pow } })).kind).toBe('pass');
    expect((await app.request('/v1/pow/challenge?action=admin', {}, env('203.0.113.7'))).status).toBe(400);
    expect((await app.request('/v1/pow/challenge', {}, env('203.0.113.7'))).status).toBe(400);
  });
});

describe('admin API for the block list', () => {
  const allow: MiddlewareHandler = async (_c, next) => next();
  const deny: MiddlewareHandler = (c) => Promise.resolve(c.json({ error: { code: 'HUSH_UNAUTHORIZED' } }, 401));

  it('adds, lists and removes blocks; the block applies at once', async () => {
    const { guards } = await rig({ env: { HUSH_POW: 'off' } });
    const app = blockAdmin({ guards, authorize: allow });
    const post = (body: unknown): Promise<Response> => Promise.resolve(app.request('/admin/v1/blocks', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }));
    const created = await post({ cidr: '203.0.113.7', for: '1h', reason: 'stuffing' });
    expect(created.status).toBe(201);
    const { block } = (await created.json()) as { block: { id: string; cidr: string; source: string } };
    expect(block).toMatchObject({ cidr: '203.0.113.7/32', source: 'admin' });
    expect((await guards.check({ action: 'recovery', address: '203.0.113.7', identifier: 'a@example.com', fields: {} })).kind).toBe('silent');
    const list = (await (await app.request('/admin/v1/blocks')).json()) as { blocks: { id: string }[] };
    expect(list.blocks.map((b) => b.id)).toEqual([block.id]);
    expect((await post({ cidr: 'nope', for: '1h' })).status).toBe(400);
    expect((await post({ cidr: '203.0.113.8', for: '3600' })).status).toBe(400);
    expect((await app.request(`/admin/v1/blocks/${block.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await app.request(`/admin/v1/blocks/${block.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await guards.check({ action: 'recovery', address: '203.0.113.7', identifier: 'a@example.com', fields: {} })).kind).toBe('pass');
  });

  it('every route sits behind authorize', async () => {
    const { guards } = await rig();
    const app = blockAdmin({ guards, authorize: deny });
    expect((await app.request('/admin/v1/blocks')).status).toBe(401);
    expect((await app.request('/admin/v1/blocks', { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await app.request('/admin/v1/blocks/x', { method: 'DELETE' })).status).toBe(401);
  });
});
