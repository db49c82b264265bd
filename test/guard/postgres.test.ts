import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/store/database.js';
import { SqlBlockStore } from '../../src/store/blocks.js';
import { postgresTier } from '../helpers/env.js';
import { guardInput } from '../helpers/guard-input.js';
import { testPostgres } from '../helpers/targets.js';
import { rig, solve } from '../unit/guard/fixture.js';

const tier = postgresTier();
let handle: DatabaseHandle;

beforeAll(async () => {
  if (tier.skip) return;
  handle = await testPostgres(tier.url!, { poolSize: 20 });
});

afterAll(async () => {
  if (tier.skip) return;
  await handle.close();
});

describe.skipIf(tier.skip)('guards on real PostgreSQL', () => {
  it('proof-of-work replay: 50 concurrent submissions of one solution across 5 instances, exactly one accepted (pow_spent)', async () => {
    const rigs = [await rig({ db: handle.db })];
    for (let i = 1; i < 5; i++) rigs.push(await rig({ db: handle.db, clock: rigs[0]!.clock }));
    const pow = await solve(await rigs[0]!.guards.powChallenge('signup', '203.0.113.7'));
    const verdicts = await Promise.all(Array.from({ length: 50 }, (_, i) => rigs[i % 5]!.guards.check(guardInput({ action: 'signup', address: `198.18.${i}.1`, fields: { pow } }))));
    expect(verdicts.filter((v) => v.kind === 'pass')).toHaveLength(1);
    expect(verdicts.filter((v) => v.kind === 'reject')).toHaveLength(49);
    const rows = await handle.db.selectFrom('pow_spent').selectAll().execute();
    expect(rows.length).toBeGreaterThanOrEqual(1);
  });

  it('a block added elsewhere (the CLI, another instance) reaches this instance on refresh, and persists', async () => {
    const a = await rig({ db: handle.db, env: { HUSH_POW: 'off' } });
    const store = new SqlBlockStore(handle.db);
    const now = a.clock.now();
    await store.add({ id: 'cli-block-1', cidr: '192.0.2.0/24', reason: 'test', source: 'cli', createdAt: now, expiresAt: now + 3_600_000 });
    expect((await a.guards.listBlocks()).map((b) => b.cidr)).toContain('192.0.2.0/24');
    expect((await a.guards.check(guardInput({ action: 'signup', address: '192.0.2.9' })))).toEqual({ kind: 'silent', guard: 'blocked' });
    const b = await rig({ db: handle.db, env: { HUSH_POW: 'off' }, clock: a.clock });
    const added = await b.guards.blockIp({ cidr: '198.51.100.0/25', durationMs: 60_000, reason: 'detection', source: 'detection:test' });
    expect((await store.active(now)).map((r) => r.id)).toContain(added.id);
    expect(await a.guards.unblock('cli-block-1')).toBe(true);
    expect((await a.guards.check(guardInput({ action: 'signup', address: '192.0.2.9' }))).kind).toBe('pass');
    a.clock.advance(61_000);
    expect(await store.purgeExpired(a.clock.now())).toBe(1);
  });
});
