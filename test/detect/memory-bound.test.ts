import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MemoryState } from '../../src/detect/memory-state.js';
import { Harness } from '../unit/detect/harness.js';

describe('memory stays bounded', () => {
  it('1,000,000 distinct addresses in one window: at most maxGroups groups live, the oldest evicted and counted', async () => {
    const maxGroups = 20_000;
    const state = new MemoryState({ maxGroups });
    const h = new Harness({ state });
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Typed arrays' contents live outside the JS heap: count both, once collected (dead buffers are freed in the background).
    const used = async (): Promise<number> => {
      let last = Number.NaN;
      for (let i = 0; i < 20; i++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
        const { heapUsed, arrayBuffers } = process.memoryUsage();
        if (heapUsed + arrayBuffers === last) break;
        last = heapUsed + arrayBuffers;
      }
      return last;
    };
    const before = await used();
    const event = { name: 'users.password_reset', at: h.clock.now(), 'usr.exists': false, 'usr.login': '', 'network.client.ip': '' };
    for (let i = 0; i < 1_000_000; i++) {
      // A rotating botnet: every request from a new address, for a new login, all in one 5-minute window.
      event['network.client.ip'] = `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
      event['usr.login'] = `victim${i}@example.com`;
      await h.engine.observe(event, h.clock.now());
      if ((i & 0x3fff) === 0) h.clock.advance(4);
    }
    const stats = state.stats();
    expect(stats.groups).toBeLessThanOrEqual(maxGroups);
    // Two per-address-or-login rules read each event (plus one app-wide group): nearly two million evictions.
    expect(stats.evictions).toBeGreaterThan(1_900_000);
    // What stays after collection is the bounded state: 20,000 groups take tens of MB; two million would take gigabytes.
    expect((await used()) - before).toBeLessThan(96 * 1024 * 1024);
    // The app-wide spike rule still counted every event (its one group is never the oldest).
    const spike = h.engine.rules.find((r) => r.id === 'reset-spike')!;
    const obs = state.observe({ rule: spike, key: 'reset-spike\u0000', groupKey: '', now: h.clock.now(), hits: [] });
    expect(obs.counts[0]!.count).toBe(1_000_000);
  }, 120_000);
});
