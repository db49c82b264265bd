import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/kernel/clock.js';
import { SeededRandom } from '../../src/kernel/random.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { SqlApiKeyStore } from '../../src/store/api-keys.js';
import { SqlEventStore } from '../../src/store/events.js';
import { SqlSignalStore } from '../../src/store/signals.js';
import { SEVERITIES } from '../../src/detect/rule-schema.js';
import type { Signal } from '../../src/detect/signal.js';
import { databaseTargets } from '../helpers/targets.js';

/** One suite for the detection stores, on every database target (embedded PGlite, PostgreSQL). */
for (const target of databaseTargets()) {
  describe.skipIf(target.skip)(`detection stores on ${target.label}`, () => {
    let handle: DatabaseHandle;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));

    beforeAll(async () => {
      handle = await target.open({ poolSize: 4 });
    });
    afterAll(async () => {
      await handle.close();
    });

    const signal = (over: Partial<Signal>): Signal => ({
      id: 's1', ruleId: 'r', ruleName: 'R', severity: 'low', group: { 'network.client.ip': '192.0.2.1' }, case: 'low case',
      firstSeen: clock.now(), lastSeen: clock.now(), expiresAt: clock.now() + 3_600_000, hits: 1,
      evidence: { counts: { 'low case': { count: 6, distinct: 6 } }, values: ['a'], events: [] }, ...over,
    });

    it('signals: the upsert keeps the highest severity, the latest sighting and the most hits, whoever reports last', async () => {
      const store = new SqlSignalStore(handle.db, SEVERITIES);
      await store.save({ kind: 'opened', signal: signal({}) });
      await store.save({ kind: 'escalated', signal: signal({ severity: 'critical', case: 'critical case', lastSeen: clock.now() + 5000, hits: 9 }) });
      // A late report from another instance, still at Low and with fewer hits: nothing goes backwards.
      await store.save({ kind: 'updated', signal: signal({ severity: 'low', lastSeen: clock.now() + 1000, hits: 3 }) });
      const got = await store.get('s1');
      expect(got).toMatchObject({ severity: 'critical', case: 'critical case', hits: 9, lastSeen: clock.now() + 5000, group: { 'network.client.ip': '192.0.2.1' } });
      expect(got?.evidence.counts['low case']).toEqual({ count: 6, distinct: 6 });
      expect(await store.get('nope')).toBeUndefined();
    });

    it('api keys: shown once, stored hashed, verified in constant time, scoped, revocable, one live key per name', async () => {
      const keys = new SqlApiKeyStore({ db: handle.db, clock, random: new SeededRandom(3) });
      const { key, record } = await keys.create('app1', ['events']);
      expect(key).toMatch(/^hush_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
      const row = await handle.db.selectFrom('api_keys').selectAll().where('id', '=', record.id).executeTakeFirstOrThrow();
      expect(row.hash).not.toContain(key.split('_')[2]!);
      expect((await keys.verify(key))?.scopes).toEqual(['events']);
      expect(await keys.verify(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
      await expect(keys.create('app1', ['admin'])).rejects.toThrow();
      expect(await keys.revoke('app1')).toBe(true);
      expect(await keys.verify(key)).toBeUndefined();
      expect((await keys.create('app1', ['admin'])).record.scopes).toEqual(['admin']);
    });

    it('events: a batch in one insert, read back in order, pruned past retention', async () => {
      const events = new SqlEventStore(handle.db);
      const t = clock.now();
      await events.insert([
        { name: 'users.login.failure', at: t - 40 * 86_400_000, 'usr.login': 'old@example.com', source: 'app1' },
        { name: 'users.login.failure', at: t, 'usr.login': 'a@example.com', 'usr.exists': false, 'network.client.ip': '192.0.2.9', attrs: { mfa: true }, source: 'app1' },
      ]);
      expect((await events.list({ since: t - 1000 }))[0]).toEqual({ name: 'users.login.failure', at: t, 'usr.login': 'a@example.com', 'usr.exists': false, 'network.client.ip': '192.0.2.9', attrs: { mfa: true }, source: 'app1' });
      expect(await events.prune(t - 30 * 86_400_000, 1)).toBe(1);
      expect(await events.list()).toHaveLength(1);
    });
  });
}
