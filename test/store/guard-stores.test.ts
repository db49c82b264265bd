import { describe, expect, it, onTestFinished } from 'vitest';
import { MemoryBlockStore, SqlBlockStore } from '../../src/store/blocks.js';
import { SqlPowReplay } from '../../src/store/pow-replay.js';
import { databaseTargets, stateTargets, storeOn } from '../helpers/targets.js';

/**
 * Guard's stores, one contract on every implementation (design.md §3); Redis
 * keeps no block list. Several guards over one store: test/guard/.
 */
const replayStores = [
  ...stateTargets().map((t) => storeOn(t, (state) => state.powReplay())),
  ...databaseTargets().map((t) => storeOn(t, (handle) => new SqlPowReplay(handle.db))),
];

const blockStores = [
  ...stateTargets().filter((t) => t.name === 'memory').map((t) => storeOn(t, () => new MemoryBlockStore())),
  ...databaseTargets().map((t) => storeOn(t, (handle) => new SqlBlockStore(handle.db))),
];

describe('pow replay stores', () => {
  for (const target of replayStores) {
    it.skipIf(target.skip)(`${target.label}: first spend wins, every later one loses, concurrent ones included`, async () => {
      const { store, close } = await target.open();
      onTestFinished(close);
      const now = Date.UTC(2026, 0, 1);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.spend('same-id', now + 300_000, now)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.spend('other-id', now + 300_000, now)).toBe(true);
    });
  }
});

describe('block stores', () => {
  for (const target of blockStores) {
    it.skipIf(target.skip)(`${target.label}: add, active by expiry, remove, purge`, async () => {
      const { store, close } = await target.open();
      onTestFinished(close);
      const t = Date.UTC(2026, 0, 1);
      await store.add({ id: 'a', cidr: '192.0.2.0/24', reason: 'r', source: 'cli', createdAt: t, expiresAt: t + 1000 });
      await store.add({ id: 'b', cidr: '2001:db8::/64', reason: 'r', source: 'admin', createdAt: t + 1, expiresAt: t + 5000 });
      await expect(store.add({ id: 'a', cidr: '192.0.2.0/24', reason: 'r', source: 'cli', createdAt: t, expiresAt: t + 1000 })).rejects.toThrow();
      expect((await store.active(t)).map((b) => b.id)).toEqual(['a', 'b']);
      expect((await store.active(t + 1000)).map((b) => b.id)).toEqual(['b']);
      expect((await store.active(t))[1]).toEqual({ id: 'b', cidr: '2001:db8::/64', reason: 'r', source: 'admin', createdAt: t + 1, expiresAt: t + 5000 });
      expect(await store.purgeExpired(t + 1000)).toBe(1);
      expect(await store.remove('b')).toBe(true);
      expect(await store.remove('b')).toBe(false);
    });
  }
});
