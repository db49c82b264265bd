import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { eventsApi } from '../../src/http/api/events.js';
import { silentLogger } from '../../src/kernel/log.js';
import { detectionOnPglite } from './setup.js';

/**
 * Nothing a client sends is a 500: an event whose strings PostgreSQL cannot
 * store (a NUL, a lone surrogate) or that carry control characters where a
 * person or a browser is named is refused with its index and reason, and its
 * good neighbours are kept.
 */
let ctx: Awaited<ReturnType<typeof detectionOnPglite>>;
let app: Hono;
let key: string;

beforeEach(async () => {
  ctx = await detectionOnPglite();
  app = new Hono();
  app.route('/', eventsApi({ intake: ctx.detection, apiKeys: ctx.apiKeys, clock: ctx.clock, logger: silentLogger() }));
  key = (await ctx.apiKeys.create('app1', ['events'])).key;
});
afterEach(async () => ctx.database.close());

describe('POST /v1/events with unstorable strings', () => {
  it('refuses each such event by index and keeps the rest', async () => {
    const good = { name: 'users.login.failure', 'usr.login': 'ann@example.com', 'network.client.ip': '203.0.113.7' };
    const batch = [
      good,
      { ...good, 'usr.login': 'a\u0000b@example.com' },
      { ...good, 'usr.id': 'id\u0000' },
      { ...good, 'http.useragent': 'ua\u0007' },
      { ...good, attrs: { note: 'x\u0000y' } },
      { ...good, attrs: { note: 'x\ud800y' } },
      good,
    ];
    const res = await app.request('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5]);
    expect(body.rejected[0]!.reason).toBe('usr.login: contains a control character or a broken character');
    expect(body.rejected[3]!.reason).toBe('attrs.note: contains a NUL or a broken character');
    expect(await ctx.events.list()).toHaveLength(2);
  });
});
