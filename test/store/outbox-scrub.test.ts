import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import type { AccountEvent } from '../../src/core/event.js';
import type { WebhookPayload } from '../../src/core/outbox.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { OutboxRepository } from '../../src/store/outbox.js';
import { Janitor } from '../../src/store/janitor.js';
import { loadConfig } from '../../src/kernel/config.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { cryptoRandom } from '../../src/kernel/random.js';
import { silentLogger } from '../../src/kernel/log.js';
import { testHush } from '../helpers/hush.js';
import { databaseTargets } from '../helpers/targets.js';

const TOKEN = 'AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK';
const mail = (template: string, vars: Record<string, string>): unknown => ({ to: 'someone@example.test', template, vars });
const event: AccountEvent = { name: 'users.login.success', at: 1, 'usr.login': 'someone@example.test', 'usr.exists': true, 'network.client.ip': '192.0.2.1', source: 'hush' };
const webhook: WebhookPayload = { url: 'https://hooks.example.test/x', format: 'json', body: '{"signal":1}' };

// PGlite always, PostgreSQL when HUSH_TEST_DATABASE_URL is set: the scrub is SQL, so it runs on both.
for (const target of databaseTargets()) {
  describe.skipIf(target.skip)(`settled outbox rows keep no secret, and go after the retention, on ${target.label}`, () => {
    let handle: DatabaseHandle;
    let db: Kysely<Database>;
    let clock: ManualClock;
    let repo: OutboxRepository;

    beforeAll(async () => {
      handle = await target.open();
      db = handle.db;
    });
    afterAll(async () => {
      await handle.close();
    });
    beforeEach(async () => {
      await sql`DELETE FROM outbox`.execute(db);
      clock = new ManualClock(Date.UTC(2026, 0, 1));
      repo = new OutboxRepository(db, clock, cryptoRandom);
    });

    const payloadOf = async (id: string): Promise<unknown> => (await repo.get(id))?.payload;
    const everyPayload = async (): Promise<string> => JSON.stringify(await db.selectFrom('outbox').select('payload').execute());

    it('marking mail delivered drops its links (every var) in the same statement, for any number of rows', async () => {
      const ids = [
        await repo.enqueue('mail', { to: 'a@example.test', template: 'recovery', vars: { link: `https://id.example.test/reset#token=${TOKEN}`, expiresIn: '30 minutes' } }),
        await repo.enqueue('mail', { to: 'b@example.test', template: 'magic-signup', vars: { link: `https://id.example.test/magic#token=${TOKEN}` } }),
        await repo.enqueue('mail', { to: 'c@example.test', template: 'account-exists', vars: { loginLink: 'https://id.example.test/login', resetLink: 'https://id.example.test/forgot' } }),
      ];
      expect(await everyPayload()).toContain(TOKEN);
      await repo.claim(10, 60_000);
      await repo.markDelivered(ids);
      expect(await payloadOf(ids[0]!)).toEqual({ to: 'a@example.test', template: 'recovery', scrubbed: true });
      expect(await payloadOf(ids[1]!)).toEqual({ to: 'b@example.test', template: 'magic-signup', scrubbed: true });
      expect(await payloadOf(ids[2]!)).toEqual({ to: 'c@example.test', template: 'account-exists', scrubbed: true });
      expect(await everyPayload()).not.toContain(TOKEN);
      expect(await everyPayload()).not.toContain('://');
    });

    it('a decoy (the reset of an unknown address) is scrubbed like a mail and says, once settled, that it was a decoy', async () => {
      const decoy = await repo.enqueue('mail', { to: 'nobody@example.test', template: 'recovery', vars: { link: `https://id.example.test/reset#token=${TOKEN}` }, decoy: true });
      const odd = await repo.enqueueUnchecked('mail', { to: 'x@example.test', template: 'recovery', decoy: 'true' });
      await repo.claim(10, 60_000);
      await repo.markDelivered(decoy);
      await repo.markFailed(odd, 'mail payload "decoy" is not true');
      expect(await payloadOf(decoy)).toEqual({ to: 'nobody@example.test', template: 'recovery', scrubbed: true, decoy: true });
      expect(await payloadOf(odd)).toEqual({ to: 'x@example.test', template: 'recovery', scrubbed: true });
      expect(await everyPayload()).not.toContain(TOKEN);
    });

    it('a mail given up is scrubbed too (its link still works); one waiting for a retry keeps its link', async () => {
      const failed = await repo.enqueueUnchecked('mail', mail('verify', { link: `https://id.example.test/verify#token=${TOKEN}` }));
      const retried = await repo.enqueueUnchecked('mail', mail('verify', { link: `https://id.example.test/verify#token=${TOKEN}x` }));
      await repo.claim(10, 60_000);
      await repo.reschedule(retried, 'try later', new Date(clock.now() + 5000));
      await repo.markFailed(failed, 'refused for good');
      expect(await payloadOf(failed)).toEqual({ to: 'someone@example.test', template: 'verify', scrubbed: true });
      expect(await repo.get(failed)).toMatchObject({ lastError: 'refused for good', failedAt: expect.any(Date) });
      expect(await payloadOf(retried)).toEqual(mail('verify', { link: `https://id.example.test/verify#token=${TOKEN}x` }));
    });

    it('events and webhooks are kept as they are; a kind this version does not know, and malformed mail, keep nothing', async () => {
      const e = await repo.enqueue('event', event);
      const w = await repo.enqueue('webhook', webhook);
      const unknown = await repo.enqueueUnchecked('sms', { to: '+100', text: `code ${TOKEN}` });
      const scalar = await repo.enqueueUnchecked('mail', `https://id.example.test/reset#token=${TOKEN}`);
      const odd = await repo.enqueueUnchecked('mail', { to: { nested: TOKEN }, template: 7, link: TOKEN });
      await repo.claim(10, 60_000);
      await repo.markDelivered([e, w]);
      await repo.markFailed(unknown, 'no deliverer for kind "sms"');
      await repo.markFailed(scalar, 'mail payload is not an object');
      await repo.markFailed(odd, 'mail payload has no valid "to" address');
      expect(await payloadOf(e)).toEqual(event);
      expect(await payloadOf(w)).toEqual(webhook);
      expect(await payloadOf(unknown)).toEqual({ scrubbed: true });
      expect(await payloadOf(scalar)).toEqual({ to: null, template: null, scrubbed: true });
      expect(await payloadOf(odd)).toEqual({ to: null, template: null, scrubbed: true });
      expect(await everyPayload()).not.toContain(TOKEN);
    });

    it('pruneSettled deletes rows delivered or given up before the cutoff; newer ones and waiting ones stay, however old', async () => {
      const oldPending = await repo.enqueueUnchecked('mail', mail('verify', { link: 'https://id.example.test/verify#token=p' }));
      const oldDelivered = await repo.enqueueUnchecked('event', event);
      const oldFailed = await repo.enqueueUnchecked('mail', mail('verify', {}));
      const oldRetrying = await repo.enqueueUnchecked('mail', mail('verify', {}));
      await repo.claim(10, 60_000);
      await repo.markDelivered(oldDelivered);
      await repo.markFailed(oldFailed, 'x');
      await repo.reschedule(oldRetrying, 'later', new Date(clock.now() + 3_600_000));
      const settledAt = clock.now();
      clock.advance(24 * 3_600_000);
      const newDelivered = await repo.enqueueUnchecked('event', event);
      const newFailed = await repo.enqueueUnchecked('mail', mail('verify', {}));
      await repo.claim(10, 60_000);
      await repo.markDelivered(newDelivered);
      await repo.markFailed(newFailed, 'y');
      // Strictly before the cutoff: a row settled at the cutoff itself stays.
      expect(await repo.pruneSettled(new Date(settledAt))).toBe(0);
      expect(await repo.pruneSettled(new Date(settledAt + 1))).toBe(2);
      expect(await repo.pruneSettled(new Date(clock.now()))).toBe(0);
      const left = (await db.selectFrom('outbox').select('id').execute()).map((r) => r.id).sort();
      expect(left).toEqual([oldPending, oldRetrying, newDelivered, newFailed].sort());
    });

    it('the janitor, with the sweep hush.ts builds, prunes settled rows past HUSH_OUTBOX_RETENTION and keeps newer and pending ones', async () => {
      const config = loadConfig({ HUSH_OUTBOX_RETENTION: '2h' });
      expect(config.outboxRetention).toBe(2 * 3_600_000);
      expect(loadConfig({}).outboxRetention).toBe(7 * 24 * 3_600_000);
      const janitor = new Janitor({ clock, logger: silentLogger(), sweeps: [(now) => repo.pruneSettled(new Date(now.getTime() - config.outboxRetention))] });
      const pending = await repo.enqueueUnchecked('mail', mail('verify', { link: 'https://id.example.test/verify#token=p' }));
      const delivered = await repo.enqueueUnchecked('mail', mail('verify', {}));
      const failed = await repo.enqueueUnchecked('event', event);
      await repo.markDelivered(delivered);
      await repo.markFailed(failed, 'z');
      clock.advance(3_600_000);
      const newer = await repo.enqueueUnchecked('event', event);
      await repo.markDelivered(newer);
      expect(await janitor.runOnce()).toBe(0);
      clock.advance(3_600_000 + 1);
      expect(await janitor.runOnce()).toBe(2);
      expect((await db.selectFrom('outbox').select('id').execute()).map((r) => r.id).sort()).toEqual([pending, newer].sort());
      clock.advance(30 * 24 * 3_600_000);
      expect(await janitor.runOnce()).toBe(1);
      expect((await db.selectFrom('outbox').select('id').execute()).map((r) => r.id)).toEqual([pending]);
    });
  });
}

describe('a hush instance prunes its outbox past HUSH_OUTBOX_RETENTION', () => {
  it('its janitor (every ten minutes) deletes rows settled longer ago than the retention; newer and pending rows stay', async () => {
    // Only the janitor's interval is faked: the worker's polling and the database keep real time.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const t = await testHush({ HUSH_OUTBOX_RETENTION: '2h' }, { worker: true, clock });
    try {
      const outbox = t.hush.stores.outbox;
      const far = new Date(clock.now() + 365 * 24 * 3_600_000);
      const pending = await outbox.enqueueUnchecked('mail', mail('verify', { link: 'https://id.example.test/verify#token=p' }));
      await outbox.reschedule(pending, 'later', far);
      const delivered = await outbox.enqueueUnchecked('sms', {});
      const failed = await outbox.enqueueUnchecked('sms', {});
      await outbox.reschedule(delivered, 'later', far);
      await outbox.reschedule(failed, 'later', far);
      await outbox.markDelivered(delivered);
      await outbox.markFailed(failed, 'gone');
      clock.advance(3_600_000);
      const newer = await outbox.enqueueUnchecked('sms', {});
      await outbox.reschedule(newer, 'later', far);
      await outbox.markDelivered(newer);
      clock.advance(3_600_000 + 1);
      const ids = async (): Promise<string[]> => (await t.hush.database.db.selectFrom('outbox').select('id').execute()).map((r) => r.id).sort();
      expect(await ids()).toEqual([pending, delivered, failed, newer].sort());
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      for (let i = 0; i < 100 && (await ids()).length > 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await ids()).toEqual([pending, newer].sort());
    } finally {
      vi.useRealTimers();
      await t.close();
    }
  });
});
