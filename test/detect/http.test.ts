import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { eventsApi } from '../../src/http/api/events.js';
import { signalsApi } from '../../src/http/api/signals.js';
import { silentLogger } from '../../src/kernel/log.js';
import { detectionOnPglite } from './setup.js';

type Ctx = Awaited<ReturnType<typeof detectionOnPglite>>;
let ctx: Ctx;
let app: Hono;
let eventsKey: string;
let adminKey: string;

beforeEach(async () => {
  ctx = await detectionOnPglite();
  app = new Hono();
  app.route('/', eventsApi({ intake: ctx.detection, apiKeys: ctx.apiKeys, clock: ctx.clock, logger: silentLogger(), maxBytes: 64 * 1024 }));
  app.route('/', signalsApi({ signals: ctx.signals, apiKeys: ctx.apiKeys, clock: ctx.clock }));
  eventsKey = (await ctx.apiKeys.create('app1', ['events'])).key;
  adminKey = (await ctx.apiKeys.create('ops', ['admin'])).key;
});
afterEach(async () => ctx.database.close());

const post = (body: unknown, key = eventsKey, raw?: string) =>
  app.request('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
const reset = (i: number, extra: Record<string, unknown> = {}) => ({ name: 'users.password_reset', 'usr.login': `User${i}@Example.com`, 'usr.exists': true, 'network.client.ip': '203.0.113.7', ...extra });

describe('POST /v1/events', () => {
  it('refuses a missing, unknown or revoked key with one 401, and a key without the scope with 403', async () => {
    expect((await app.request('/v1/events', { method: 'POST', body: '[]' })).status).toBe(401);
    expect((await post([reset(1)], 'hush_000000000000000000000000_' + 'a'.repeat(43))).status).toBe(401);
    expect((await post([reset(1)], 'not-a-key')).status).toBe(401);
    expect((await post([reset(1)], adminKey)).status).toBe(403);
    await ctx.apiKeys.revoke('app1');
    expect((await post([reset(1)])).status).toBe(401);
  });

  it('keeps the good events of a batch and refuses each bad one with its index and reason', async () => {
    const batch = [reset(0), reset(1), { name: 'users.password_reset', 'usr.exists': 'yes' }, reset(2), { name: 'Bad Name' }, reset(3), { ...reset(9), attrs: { password: 'hunter2' } }, reset(4), reset(5)];
    const res = await post(batch);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(body.accepted).toBe(6);
    expect(body.rejected).toEqual([
      { index: 2, reason: 'usr.exists: is not true or false' },
      { index: 4, reason: 'name: is not an event name such as users.login.failure' },
      { index: 6, reason: 'attrs.password: looks like a secret; events never carry passwords, tokens or sessions' },
    ]);
    // The secret's value is never echoed.
    expect(JSON.stringify(body)).not.toContain('hunter2');
    const stored = await ctx.events.list();
    expect(stored).toHaveLength(6);
    expect(stored[0]).toMatchObject({ name: 'users.password_reset', 'usr.login': 'user0@example.com', source: 'app1' });
    // Six distinct existing accounts from one address: the good neighbours were analysed, and raised the Datadog signal.
    const page = await ctx.signals.list();
    expect(page.signals.map((s) => [s.ruleId, s.severity])).toEqual([['password-reset-enumeration', 'medium']]);
    expect(ctx.actions).toEqual(['block 203.0.113.7 900000']);
    expect(ctx.outbox.map((o) => o.kind)).toEqual(['webhook']);
  });

  it('answers 400 when no event is good, with every reason in the details', async () => {
    const res = await post([{ name: 'x' }, { nope: 1 }]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { field: string; reason: string }[] } };
    expect(body.error.code).toBe('HUSH_VALIDATION');
    expect(body.error.details.map((d) => d.field)).toEqual(['events[0]', 'events[1]']);
  });

  it('accepts { events: [...] } and the nested usr form', async () => {
    const res = await post({ events: [{ name: 'users.login.failure', usr: { login: 'a@b.c', exists: false }, 'network.client.ip': '::ffff:192.0.2.1', at: '2026-01-01T11:59:00Z' }] });
    expect(res.status).toBe(202);
    expect((await ctx.events.list())[0]).toMatchObject({ 'usr.login': 'a@b.c', 'usr.exists': false, 'network.client.ip': '192.0.2.1', at: Date.UTC(2026, 0, 1, 11, 59) });
  });

  it('413 past the size limit and past 1,000 events; 400 for malformed JSON', async () => {
    expect((await post(undefined, eventsKey, JSON.stringify([reset(0, { 'http.useragent': 'x'.repeat(1000) })]).repeat(80))).status).toBe(413);
    const many = await app.request('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${eventsKey}` }, body: JSON.stringify(Array.from({ length: 1001 }, () => ({ name: 'a.b' }))) });
    expect(many.status).toBe(413);
    expect((await post(undefined, eventsKey, '[{')).status).toBe(400);
  });
});

describe('GET /v1/signals', () => {
  it('lists newest first, filters by severity and since, pages with a cursor, and gets one by id', async () => {
    for (let i = 0; i < 6; i++) await post([reset(i, { 'usr.exists': false, 'network.client.ip': '198.51.100.1' })]);
    ctx.clock.advance(60_000);
    for (let i = 0; i < 6; i++) await post([reset(i)]);
    const get = (path: string, key = adminKey) => app.request(path, { headers: { authorization: `Bearer ${key}` } });
    expect((await get('/v1/signals', eventsKey)).status).toBe(403);
    const all = (await (await get('/v1/signals')).json()) as { signals: { id: string; severity: string; firstSeen: string }[] };
    expect(all.signals.map((s) => s.severity)).toEqual(['medium', 'low']);
    expect(all.signals[0]!.firstSeen).toBe('2026-01-01T12:01:00.000Z');
    const medium = (await (await get('/v1/signals?severity=medium')).json()) as { signals: unknown[] };
    expect(medium.signals).toHaveLength(1);
    const recent = (await (await get('/v1/signals?since=30s')).json()) as { signals: unknown[] };
    expect(recent.signals).toHaveLength(1);
    const page1 = (await (await get('/v1/signals?limit=1')).json()) as { signals: { id: string }[]; next: string };
    const page2 = (await (await get(`/v1/signals?limit=1&cursor=${page1.next}`)).json()) as { signals: { id: string }[]; next?: string };
    expect([page1.signals[0]!.id, page2.signals[0]!.id]).toEqual(all.signals.map((s) => s.id));
    expect(page2.next).toBeUndefined();
    const one = await get(`/v1/signals/${all.signals[0]!.id}`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { signal: { evidence: { values: string[] } } }).signal.evidence.values).toHaveLength(6);
    expect((await get('/v1/signals/nope')).status).toBe(404);
    expect((await get('/v1/signals?severity=urgent')).status).toBe(400);
  });
});
