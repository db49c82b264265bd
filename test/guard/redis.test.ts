import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisTier } from '../helpers/env.js';
import { guardInput } from '../helpers/guard-input.js';
import { testRedis } from '../helpers/redis.js';
import type { TestRedis } from '../helpers/redis.js';
import { rig, solve } from '../unit/guard/fixture.js';

const tier = redisTier();
let shared: TestRedis;
let redis: Redis;
let prefix: string;

beforeAll(async () => {
  if (tier.skip) return;
  shared = await testRedis(tier.url!);
  ({ redis, prefix } = shared);
});

afterAll(async () => {
  if (tier.skip) return;
  await shared.close();
});

describe.skipIf(tier.skip)('guards on a real Redis', () => {
  it('two instances share one budget: 6 recovery requests for one identifier, split across both, 5 pass', async () => {
    const a = await rig({ redis, prefix, env: { HUSH_POW: 'off' } });
    const b = await rig({ redis, prefix, env: { HUSH_POW: 'off' }, clock: a.clock });
    const identifier = `shared-${randomBytes(4).toString('hex')}@example.com`;
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const g = i % 2 === 0 ? a.guards : b.guards;
      kinds.push((await g.check(guardInput({ identifier, address: `198.51.100.${i}` }))).kind);
    }
    expect(kinds.filter((k) => k === 'pass')).toHaveLength(5);
    expect(kinds[5]).toBe('silent');
  });

  it('login failures throttle across instances', async () => {
    const a = await rig({ redis, prefix, env: { HUSH_POW: 'off' } });
    const b = await rig({ redis, prefix, env: { HUSH_POW: 'off' }, clock: a.clock });
    const identifier = `login-${randomBytes(4).toString('hex')}@example.com`;
    for (let i = 0; i < 10; i++) expect((await (i % 2 ? a : b).guards.check(guardInput({ action: 'login', identifier, address: '192.0.2.77' }))).kind).toBe('pass');
    expect((await a.guards.check(guardInput({ action: 'login', identifier, address: '192.0.2.77' }))).kind).toBe('throttle');
    expect((await b.guards.check(guardInput({ action: 'login', identifier, address: '192.0.2.77' }))).kind).toBe('throttle');
  });

  it('a detection mark raises the difficulty on every instance', async () => {
    const a = await rig({ redis, prefix });
    const b = await rig({ redis, prefix, clock: a.clock });
    await a.guards.raisePow('192.0.2.200', 60_000, 8);
    expect(await b.guards.powDifficulty('192.0.2.200')).toBe(a.config.powDifficulty * 8);
  });

  it('proof-of-work replay: 50 concurrent submissions of one solution across 5 instances, exactly one accepted', async () => {
    const rigs = [await rig({ redis, prefix })];
    for (let i = 1; i < 5; i++) rigs.push(await rig({ redis, prefix, clock: rigs[0]!.clock }));
    const address = `192.0.2.${10 + Math.floor(Math.random() * 200)}`;
    const pow = await solve(await rigs[0]!.guards.powChallenge('recovery', address));
    const verdicts = await Promise.all(
      Array.from({ length: 50 }, (_, i) => rigs[i % 5]!.guards.check(guardInput({ address: `198.18.${i}.1`, identifier: `r${i}-${prefix}@example.com`, fields: { pow } }))),
    );
    expect(verdicts.filter((v) => v.kind === 'pass')).toHaveLength(1);
    expect(verdicts.filter((v) => v.kind === 'reject' && v.error.details[0]?.reason.includes('already been used'))).toHaveLength(49);
  });
});
