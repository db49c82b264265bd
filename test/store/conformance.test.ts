import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { KyselyAccountStore } from '../../src/store/account-store.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { cryptoRandom, randomId } from '../../src/kernel/random.js';
import { Tokens, hashToken } from '../../src/core/token.js';
import { Sessions } from '../../src/core/session.js';
import { databaseTargets } from '../helpers/targets.js';

/**
 * One suite, every store: the repositories behave the same on the embedded
 * PGlite and on PostgreSQL (design.md §3), the databases of test/helpers/targets.ts.
 */
for (const target of databaseTargets()) {
  describe.skipIf(target.skip)(`store conformance: ${target.label}`, () => {
    let handle: DatabaseHandle;
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    let store: KyselyAccountStore;
    const tokens = new Tokens({ clock, random: cryptoRandom });
    const sessions = new Sessions({ clock, random: cryptoRandom, policy: { idleMs: 3_600_000, maxAgeMs: 86_400_000 } });

    beforeAll(async () => {
      handle = await target.open();
      store = new KyselyAccountStore(handle.db, { clock, random: cryptoRandom });
    });
    afterAll(async () => handle.close());

    const newIdentity = async (email: string, verified = true): Promise<string> => {
      const id = randomId(cryptoRandom);
      const now = new Date(clock.now());
      const created = await store.identities.create({ id, email, passwordHash: 'h', verifiedAt: verified ? now : null, createdAt: now });
      expect(created?.id).toBe(id);
      return id;
    };

    it('migrating twice applies nothing the second time', async () => {
      expect((await migrate(handle.db)).applied).toEqual([]);
    });

    it('identities: create, find by email and id, a taken address gives null', async () => {
      const id = await newIdentity('ann@example.com');
      expect((await store.identities.findByEmail('ann@example.com'))?.id).toBe(id);
      expect((await store.identities.findById(id))?.email).toBe('ann@example.com');
      expect(await store.identities.findByEmail('nobody@example.com')).toBeNull();
      const again = await store.identities.create({ id: randomId(cryptoRandom), email: 'ann@example.com', passwordHash: null, verifiedAt: null, createdAt: new Date() });
      expect(again).toBeNull();
    });

    it('identities: set and clear a password, mark verified once, list and count', async () => {
      const id = await newIdentity('bob@example.com', false);
      await store.identities.setPassword(id, 'new-hash', new Date(clock.now()));
      expect((await store.identities.findById(id))?.passwordHash).toBe('new-hash');
      await store.identities.setPassword(id, null, new Date(clock.now()));
      expect((await store.identities.findById(id))?.passwordHash).toBeNull();
      const first = new Date(clock.now());
      await store.identities.markVerified(id, first);
      await store.identities.markVerified(id, new Date(clock.now() + 5000));
      expect((await store.identities.findById(id))?.verifiedAt?.getTime()).toBe(first.getTime());
      const n = await store.identities.count();
      expect(n).toBeGreaterThanOrEqual(2);
      expect((await store.identities.list({ limit: 100, offset: 0 })).length).toBe(n);
    });

    it('tokens: stored hashed, single use, purpose-bound, expiring, revoked by a newer one', async () => {
      const id = await newIdentity('cat@example.com');
      const first = await tokens.issue(store.tokens, 'recovery', { identityId: id }, 30 * 60_000);
      const second = await tokens.issue(store.tokens, 'recovery', { identityId: id }, 30 * 60_000);
      const rows = await handle.db.selectFrom('tokens').selectAll().where('identity_id', '=', id).execute();
      expect(rows.map((r) => r.hash)).toEqual([hashToken(second)]);
      expect(JSON.stringify(rows)).not.toContain(second);
      expect(await tokens.consume(store.tokens, first, 'recovery')).toBeNull();
      expect(await tokens.consume(store.tokens, second, 'magic')).toBeNull();
      expect((await tokens.consume(store.tokens, second, 'recovery'))?.identityId).toBe(id);
      expect(await tokens.consume(store.tokens, second, 'recovery')).toBeNull();
      const third = await tokens.issue(store.tokens, 'recovery', { identityId: id }, 60_000);
      clock.advance(60_001);
      expect(await tokens.consume(store.tokens, third, 'recovery')).toBeNull();
      expect(await store.tokens.pruneExpired(new Date(clock.now()))).toBeGreaterThanOrEqual(1);
    });

    it('tokens: bound to an identifier, and revoked all at once for an identity', async () => {
      const t = await tokens.issue(store.tokens, 'magic', { identifier: 'new@example.com' }, 60_000);
      expect((await tokens.consume(store.tokens, t, 'magic'))?.identifier).toBe('new@example.com');
      const id = await newIdentity('dan@example.com');
      await tokens.issue(store.tokens, 'recovery', { identityId: id }, 60_000);
      await tokens.issue(store.tokens, 'verify', { identityId: id }, 60_000);
      expect(await store.tokens.revokeAllFor(id)).toBe(2);
    });

    it('sessions: stored hashed, sliding idle expiry, absolute cap, revoke one and all', async () => {
      const id = await newIdentity('eve@example.com');
      const a = await sessions.create(store.sessions, id, { ip: '203.0.113.1', userAgent: 'ua' });
      const b = await sessions.create(store.sessions, id, { ip: null, userAgent: null });
      const rows = await handle.db.selectFrom('sessions').select('hash').where('identity_id', '=', id).execute();
      expect(rows.map((r) => r.hash).sort()).toEqual([hashToken(a.token), hashToken(b.token)].sort());
      clock.advance(50 * 60_000);
      const found = await sessions.validate(store.sessions, a.token);
      expect(found?.identity.email).toBe('eve@example.com');
      clock.advance(50 * 60_000);
      expect(await sessions.validate(store.sessions, a.token)).not.toBeNull(); // refreshed at 50 min
      expect(await sessions.validate(store.sessions, b.token)).toBeNull(); // idle for 100 min
      for (let i = 0; i < 30; i++) {
        clock.advance(55 * 60_000);
        if ((await sessions.validate(store.sessions, a.token)) === null) break;
      }
      expect(await sessions.validate(store.sessions, a.token)).toBeNull(); // the 24 h cap
      const c = await sessions.create(store.sessions, id, { ip: null, userAgent: null });
      const d = await sessions.create(store.sessions, id, { ip: null, userAgent: null });
      expect(await sessions.revokeAll(store.sessions, id, d.token)).toBeGreaterThanOrEqual(1);
      expect(await sessions.validate(store.sessions, c.token)).toBeNull();
      expect(await sessions.validate(store.sessions, d.token)).not.toBeNull();
      await sessions.revoke(store.sessions, d.token);
      expect(await sessions.validate(store.sessions, d.token)).toBeNull();
    });

    it('a transaction that throws leaves nothing behind, outbox rows included', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.identities.create({ id: randomId(cryptoRandom), email: 'ghost@example.com', passwordHash: null, verifiedAt: null, createdAt: new Date() });
          await tx.outbox.enqueue('mail', { to: 'ghost@example.com', template: 'verify', vars: {} });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.identities.findByEmail('ghost@example.com')).toBeNull();
      const outbox = await handle.db.selectFrom('outbox').selectAll().execute();
      expect(outbox.some((r) => JSON.stringify(r.payload).includes('ghost@'))).toBe(false);
    });

    it('50 concurrent consumes of one token: exactly one succeeds', async () => {
      const id = await newIdentity('race@example.com');
      const t = await tokens.issue(store.tokens, 'recovery', { identityId: id }, 60_000);
      const results = await Promise.all(Array.from({ length: 50 }, () => tokens.consume(store.tokens, t, 'recovery')));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });
  });
}
