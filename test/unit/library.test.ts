import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { readFileSync } from 'node:fs';
import * as hush from '../../src/index.js';
import { Envelope } from '../../src/core/envelope.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { testHush } from '../helpers/hush.js';

describe('the library', () => {
  it('exports the parts docs/library.md names', () => {
    for (const name of ['createHush', 'runGuarded', 'runPasswordChange', 'runLogout', 'createStores', 'guardStores', 'loadConfig', 'Envelope', 'PasswordHasher', 'PasswordPolicy', 'Tokens', 'Sessions', 'normalizeIdentifier', 'createGuards', 'createDetectionService', 'createTracker', 'HushError']) {
      expect(hush, name).toHaveProperty(name);
    }
    expect(typeof hush.flows.recoveryRequest.run).toBe('function');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown> };
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './envelope', './track']));
  });

  it('the envelope wraps another app\'s own handler: both paths answer at the same time', async () => {
    const clock = new ManualClock();
    const envelope = new Envelope({ clock, floorMinMs: 30, sleep: (ms) => Promise.resolve(clock.advance(ms)) });
    const users = new Set(['known@example.com']);
    const app = new Hono();
    app.post('/forgot', async (c) => {
      const { email } = await c.req.json<{ email: string }>();
      const started = clock.monotonic();
      await envelope.run('forgot', () => {
        // The leaky part of "your code": a known user costs 12 ms more.
        clock.advance(users.has(email) ? 15 : 3);
        return Promise.resolve();
      });
      return c.json({ message: 'Check your inbox.', took: clock.monotonic() - started }, 202);
    });
    const ask = async (email: string): Promise<{ message: string; took: number }> =>
      (await app.request('/forgot', { method: 'POST', body: JSON.stringify({ email }), headers: { 'content-type': 'application/json' } })).json();
    const known = await ask('known@example.com');
    const unknown = await ask('nobody@example.com');
    expect(known).toEqual(unknown);
    expect(known.took).toBe(30);
  });

  it('docs/library.md: another app\'s route runs hush\'s guarded recovery flow; known and unknown addresses get one reply, only the known one gets mail', async () => {
    const t = await testHush({ HUSH_ORIGIN: 'https://id.example.test' });
    try {
      await t.hush.store.identities.create({ id: 'lib-known', email: 'known@example.com', passwordHash: null, verifiedAt: new Date(), createdAt: new Date() });
      // The example, as the docs show it (clientIp is the app's own).
      const clientIp = (): string => '192.0.2.44';
      const app = new Hono();
      app.post('/forgot', async (c) => {
        const fields = await c.req.parseBody();
        const outcome = await t.hush.runGuarded(hush.flows.recoveryRequest, fields, { ip: clientIp(), userAgent: c.req.header('user-agent') ?? null });
        if (outcome.retryAfterSeconds !== undefined) c.header('Retry-After', String(outcome.retryAfterSeconds));
        return c.json(outcome.reply.body, outcome.reply.status as 202);
      });
      const ask = async (email: string): Promise<[number, string]> => {
        const res = await app.request('/forgot', { method: 'POST', body: new URLSearchParams({ email }) });
        return [res.status, await res.text()];
      };
      const known = await ask('known@example.com');
      expect(known).toEqual(await ask('nobody@example.com'));
      expect(known).toEqual([202, JSON.stringify(hush.flows.RECOVERY_ACCEPTED.body)]);
      const mail = await t.mailbox();
      expect(mail.map((m) => m.to)).toEqual([expect.stringContaining('known@example.com')]);
      // The guards counted the app's address: its events name it.
      const rows = await t.hush.database.db.selectFrom('outbox').select('payload').where('kind', '=', 'event').execute();
      expect(rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload)['network.client.ip'])).toEqual(['192.0.2.44', '192.0.2.44']);
    } finally {
      await t.close();
    }
  });
});
