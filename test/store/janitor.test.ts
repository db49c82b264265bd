import { describe, expect, it } from 'vitest';
import { KyselyAccountStore } from '../../src/store/account-store.js';
import { SqlBlockStore } from '../../src/store/blocks.js';
import { SqlPowReplay } from '../../src/store/pow-replay.js';
import { Janitor } from '../../src/store/janitor.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { cryptoRandom, randomId } from '../../src/kernel/random.js';
import { silentLogger } from '../../src/kernel/log.js';
import { Tokens } from '../../src/core/token.js';
import { Sessions } from '../../src/core/session.js';
import { testDatabase } from '../helpers/targets.js';

describe('Janitor', () => {
  it('runs every store\'s sweep: expired tokens, sessions, blocks and spent proofs go, live ones stay', async () => {
    const handle = await testDatabase();
    try {
      const clock = new ManualClock(Date.now());
      const store = new KyselyAccountStore(handle.db, { clock, random: cryptoRandom });
      const blocks = new SqlBlockStore(handle.db);
      const pow = new SqlPowReplay(handle.db);
      const id = randomId(cryptoRandom);
      await store.identities.create({ id, email: 'j@example.com', passwordHash: null, verifiedAt: null, createdAt: new Date(clock.now()) });
      const tokens = new Tokens({ clock, random: cryptoRandom });
      const sessions = new Sessions({ clock, random: cryptoRandom, policy: { idleMs: 60_000, maxAgeMs: 120_000 } });
      await tokens.issue(store.tokens, 'recovery', { identityId: id }, 60_000);
      await sessions.create(store.sessions, id, { ip: null, userAgent: null });
      await blocks.add({ id: 'b1', cidr: '203.0.113.7/32', reason: 'test', source: 'test', createdAt: clock.now(), expiresAt: clock.now() + 60_000 });
      expect(await pow.spend('p1', clock.now() + 60_000, clock.now())).toBe(true);
      const janitor = new Janitor({
        clock,
        logger: silentLogger(),
        sweeps: [(now) => store.tokens.pruneExpired(now), (now) => store.sessions.pruneExpired(now), (now) => blocks.purgeExpired(now.getTime()), (now) => pow.sweep(now.getTime())],
      });
      expect(await janitor.runOnce()).toBe(0);
      await tokens.issue(store.tokens, 'magic', { identityId: id }, 10 * 60_000);
      clock.advance(60_001);
      expect(await janitor.runOnce()).toBe(4);
      expect(await handle.db.selectFrom('tokens').select('purpose').execute()).toEqual([{ purpose: 'magic' }]);
    } finally {
      await handle.close();
    }
  });
});
