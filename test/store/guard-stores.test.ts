import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryDatabase } from '../../src/store/database.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { MemoryPowReplay, SqlPowReplay } from '../../src/store/pow-replay.js';
import { MemoryBlockStore, SqlBlockStore } from '../../src/store/blocks.js';
import type { BlockStore } from '../../src/store/blocks.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openMemoryDatabase();
  await migrate(handle.db);
});
afterAll(async () => {
  await handle.close();
});

describe('pow replay stores (embedded PGlite and memory)', () => {
  it.each([
    ['pglite', (): SqlPowReplay | MemoryPowReplay => new SqlPowReplay(handle.db)],
    ['memory', (): SqlPowReplay | MemoryPowReplay => new MemoryPowReplay()],
  ])('%s: first spend wins, every later one loses, concurrent ones included', async (_name, make) => {
    const store = make();
    const now = Date.UTC(2026, 0, 1);
    const results = await Promise.all(Array.from({ length: 20 }, () => store.spend('same-id', now + 300_000, now)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.spend('other-id', now + 300_000, now)).toBe(true);
  });
});

describe('block stores', () => {
  it.each([
    ['pglite', (): BlockStore => new SqlBlockStore(handle.db)],
    ['memory', (): BlockStore => new MemoryBlockStore()],
  ])('%s: add, active by expiry, remove, purge', async (_name, make) => {
    const store = make();
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
});
