import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisState } from '../../src/detect/redis-state.js';
import { redisTier } from '../helpers/env.js';
import { testRedis } from '../helpers/redis.js';
import type { TestRedis } from '../helpers/redis.js';
import { stateTargets } from '../helpers/targets.js';
import { Harness } from '../unit/detect/harness.js';
import { stateConformance } from './state-conformance.js';

for (const target of stateTargets()) stateConformance(target);

/** Each instance on a connection of its own (from the URL), as two processes would be. */
const tier = redisTier();
describe.skipIf(tier.skip)('two instances on one Redis', () => {
  let shared: TestRedis;
  beforeAll(async () => {
    shared = await testRedis(tier.url!);
  });
  afterAll(async () => {
    await shared.close();
  });

  it('reach one threshold together: 3 + 3 distinct accounts from one address across two engines → one Medium signal', async () => {
    const prefix = `${shared.prefix}two:`;
    const a = new Harness({ only: ['password-reset-enumeration'], state: new RedisState({ redis: shared.url, prefix }), seed: 1 });
    const b = new Harness({ only: ['password-reset-enumeration'], state: new RedisState({ redis: shared.url, prefix }), seed: 2 });
    b.clock.set(a.clock.now());
    const reset = (login: string) => ({ name: 'users.password_reset', 'usr.login': login, 'usr.exists': true, 'network.client.ip': '203.0.113.50' });
    for (let i = 0; i < 3; i++) {
      await a.send(reset(`a${i}@example.com`));
      await b.send(reset(`b${i}@example.com`));
    }
    // Six distinct accounts in all, but neither instance saw more than three: the shared window fired on the sixth.
    expect([...a.changes, ...b.changes].map((c) => c.signal.severity)).toEqual(['medium']);
    // Both go on seeing the same signal (one per rule and group), whichever instance the next event reaches.
    a.clock.advance(11_000);
    b.clock.advance(11_000);
    await a.send(reset('a9@example.com'));
    await b.send(reset('b9@example.com'));
    const ids = new Set([...a.changes, ...b.changes].map((c) => c.signal.id));
    expect(ids.size).toBe(1);
    // Only one instance ran the block: the response belongs to the shared signal.
    expect([...a.responses, ...b.responses].filter((r) => r.response.kind === 'block_ip')).toHaveLength(1);
    await a.engine.state.close();
    await b.engine.state.close();
  });

  it('concurrent events from both instances are all counted (atomic scripts)', async () => {
    const prefix = `${shared.prefix}race:`;
    const a = new Harness({ only: ['reset-flooding'], state: new RedisState({ redis: shared.url, prefix }), seed: 3 });
    const b = new Harness({ only: ['reset-flooding'], state: new RedisState({ redis: shared.url, prefix }), seed: 4 });
    b.clock.set(a.clock.now());
    const ev = { name: 'users.password_reset', 'usr.login': 'victim@example.com', 'network.client.ip': '192.0.2.1', at: a.clock.now() };
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).engine.observe(ev)));
    const opened = results.flatMap((r) => r.changes).filter((c) => c.kind === 'opened');
    expect(opened).toHaveLength(1);
    const obs = await a.engine.state.observe({ rule: a.engine.rules[0]!, key: 'reset-flooding\u0000victim@example.com', groupKey: 'victim@example.com', now: a.clock.now(), hits: [] });
    expect(obs.counts[0]!.count).toBe(200);
    await a.engine.state.close();
    await b.engine.state.close();
  });
});
