import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { DatabaseHandle } from '../../src/store/database.js';
import type { Deliverer } from '../../src/core/outbox.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { OutboxRepository } from '../../src/store/outbox.js';
import { OutboxWorker } from '../../src/outbox/worker.js';
import { systemClock } from '../../src/kernel/clock.js';
import { cryptoRandom } from '../../src/kernel/random.js';
import { silentLogger } from '../../src/kernel/log.js';
import { postgresTier } from '../helpers/env.js';
import { freshPostgres } from '../helpers/postgres.js';
import type { FreshDatabase } from '../helpers/postgres.js';

const pg = postgresTier();

describe.skipIf(pg.skip)(`concurrent workers on PostgreSQL${pg.skip ? ` (skipped: ${pg.reason})` : ''}`, () => {
  let fresh: FreshDatabase;
  const handles: DatabaseHandle[] = [];

  beforeAll(async () => {
    fresh = await freshPostgres(pg.url!);
    // Three instances, each with its own pool, as three `hush serve` processes would have.
    for (let i = 0; i < 3; i++) handles.push(await openDatabase({ databaseUrl: fresh.url, dataDir: '/nonexistent', poolSize: 3 }));
    await migrate(handles[0]!.db);
  });
  afterAll(async () => {
    for (const h of handles) await h.close();
    await fresh.drop();
  });

  it('never deliver a row twice in the normal path', async () => {
    const N = 150;
    const repo = new OutboxRepository(handles[0]!.db, systemClock, cryptoRandom);
    const ids: string[] = [];
    for (let i = 0; i < N; i++) ids.push(await repo.enqueueUnchecked('mail', { i }));
    const deliveries = new Map<string, number>();
    const byWorker = [0, 0, 0];
    const workers = handles.map((h, w) => {
      const deliverer: Deliverer = {
        kind: 'mail',
        async deliver(m) {
          deliveries.set(m.id, (deliveries.get(m.id) ?? 0) + 1);
          byWorker[w]! += 1;
          await new Promise((r) => setTimeout(r, 1 + (m.id.charCodeAt(0) % 3)));
        },
      };
      return new OutboxWorker({ queue: new OutboxRepository(h.db, systemClock, cryptoRandom), deliverers: [deliverer], clock: systemClock, random: cryptoRandom, logger: silentLogger(), metrics: new Registry(), batchSize: 7 });
    });
    const drain = async (w: OutboxWorker): Promise<void> => {
      for (let round = 0; round < 200; round++) if ((await w.runOnce()) === 0) return;
    };
    await Promise.all(workers.map(drain));
    expect(deliveries.size).toBe(N);
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
    expect(byWorker.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect((await repo.stats()).pending).toBe(0);
  });
});
