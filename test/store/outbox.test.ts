import { beforeAll, afterAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { OutboxRepository } from '../../src/store/outbox.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { cryptoRandom } from '../../src/kernel/random.js';
import { databaseTargets } from '../helpers/targets.js';

/** One suite, every database (design.md §3): the outbox's table behaves the same on PGlite and PostgreSQL. */
for (const target of databaseTargets()) {
  describe.skipIf(target.skip)(`OutboxRepository on ${target.label}`, () => {
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

    it('enqueues inside a transaction: rolled back with it, committed with it', async () => {
      await expect(
        db.transaction().execute(async (tx) => {
          await new OutboxRepository(tx, clock, cryptoRandom).enqueueUnchecked('mail', { to: 'a@b.test' });
          throw new Error('state change failed');
        }),
      ).rejects.toThrow('state change failed');
      expect((await repo.stats()).pending).toBe(0);
      const id = await db.transaction().execute((tx) => new OutboxRepository(tx, clock, cryptoRandom).enqueueUnchecked('mail', { to: 'a@b.test', n: 1 }));
      const row = await repo.get(id);
      expect(row).toMatchObject({ id, kind: 'mail', payload: { to: 'a@b.test', n: 1 }, attempts: 0, deliveredAt: null, failedAt: null });
    });

    it('claims due rows once under a lease, counting the attempt, and again after the lease ends', async () => {
      const ids = [await repo.enqueueUnchecked('mail', { n: 1 }), await repo.enqueueUnchecked('mail', { n: 2 }), await repo.enqueueUnchecked('mail', { n: 3 })];
      const first = await repo.claim(2, 60_000);
      expect(first).toHaveLength(2);
      expect(first.every((m) => m.attempts === 1 && m.leaseUntil.getTime() === clock.now() + 60_000)).toBe(true);
      const second = await repo.claim(10, 60_000);
      expect(second).toHaveLength(1);
      expect(await repo.claim(10, 60_000)).toEqual([]);
      expect(new Set([...first, ...second].map((m) => m.id))).toEqual(new Set(ids));
      clock.advance(60_000);
      const again = await repo.claim(10, 60_000);
      expect(again).toHaveLength(3);
      expect(again.every((m) => m.attempts === 2)).toBe(true);
    });

    it('never claims delivered or failed rows, and respects next_attempt_at', async () => {
      const a = await repo.enqueueUnchecked('mail', {});
      const b = await repo.enqueueUnchecked('mail', {});
      const c = await repo.enqueueUnchecked('mail', {});
      await repo.claim(10, 1000);
      await repo.markDelivered(a);
      await repo.markFailed(b, 'broken');
      await repo.reschedule(c, 'later', new Date(clock.now() + 5000));
      clock.advance(4999);
      expect(await repo.claim(10, 1000)).toEqual([]);
      clock.advance(1);
      expect((await repo.claim(10, 1000)).map((m) => m.id)).toEqual([c]);
      expect(await repo.get(b)).toMatchObject({ lastError: 'broken', failedAt: expect.any(Date) });
      // A late failure report cannot undo a delivery.
      await repo.markFailed(a, 'late');
      expect(await repo.get(a)).toMatchObject({ failedAt: null, deliveredAt: expect.any(Date) });
    });

    it('release hands rows back at once without counting the attempt', async () => {
      const id = await repo.enqueueUnchecked('mail', {});
      const [m] = await repo.claim(1, 60_000);
      expect(m!.attempts).toBe(1);
      await repo.release([id]);
      const [again] = await repo.claim(1, 60_000);
      expect(again).toMatchObject({ id, attempts: 1 });
    });

    it('reports depth, oldest age and failures', async () => {
      expect(await repo.stats()).toEqual({ pending: 0, oldestAgeMs: 0, failed: 0 });
      await repo.enqueueUnchecked('mail', {});
      clock.advance(1000);
      const b = await repo.enqueueUnchecked('mail', {});
      const c = await repo.enqueueUnchecked('mail', {});
      clock.advance(500);
      await repo.markFailed(b, 'x');
      await repo.markDelivered(c);
      expect(await repo.stats()).toEqual({ pending: 1, oldestAgeMs: 1500, failed: 1 });
      expect(await repo.pruneDelivered(new Date(clock.now() + 1))).toBe(1);
    });

    it('keeps last_error short', async () => {
      const id = await repo.enqueueUnchecked('mail', {});
      await repo.markFailed(id, 'e'.repeat(5000));
      expect((await repo.get(id))!.lastError!.length).toBeLessThanOrEqual(500);
    });
  });
}
