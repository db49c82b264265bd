import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { AccountEvent } from '../../src/core/event.js';
import { SqlEventStore } from '../../src/store/events.js';
import { ConsoleOverviewStore } from '../../src/store/console-overview.js';
import { databaseTargets } from '../helpers/targets.js';

/**
 * The overview's charts read `event_counts`, kept by triggers on `events`
 * (migration 0004): after inserts (one statement or many) and pruning, the
 * counts are exactly what counting the events themselves gives, on every
 * database hush runs on. And the chart series read through them equals the
 * series counted from the rows.
 */
const T0 = Date.UTC(2026, 10, 2, 10, 0, 0);

function events(n: number, name: string, start: number, stepMs: number): AccountEvent[] {
  return Array.from({ length: n }, (_, i) => ({ name, at: start + i * stepMs, 'network.client.ip': `192.0.2.${i % 7}`, source: 'hush' }));
}

// PostgreSQL here; on PGlite the console's own test checks the counts after its flows (one embedded start fewer).
describe.each(databaseTargets().filter((t) => t.name === 'PostgreSQL'))('event counts on $label', (target) => {
  it.skipIf(target.skip)('follow every insert and prune, per minute and per hour', async () => {
    const db = await target.open();
    try {
      const store = new SqlEventStore(db.db);
      await store.insert(events(500, 'users.password_reset', T0, 7_000));
      await store.insert(events(90, 'users.login.failure', T0 + 30 * 60_000, 40_000));
      for (const e of events(5, 'users.password_reset', T0 + 3_600_000, 1000)) await store.insert([e]);
      const counted = async (width: number): Promise<string[]> => {
        const rollup = await sql<{ k: string }>`SELECT name || ' ' || extract(epoch FROM at)::bigint || ' ' || n AS k FROM event_counts WHERE width = ${width} ORDER BY 1`.execute(db.db);
        const direct = await sql<{ k: string }>`
          SELECT name || ' ' || b || ' ' || count(*) AS k
          FROM (SELECT name, (floor(extract(epoch FROM at) / w) * w)::bigint AS b FROM events, (SELECT ${width}::int AS w) x) t
          GROUP BY name, b ORDER BY 1`.execute(db.db);
        expect(rollup.rows.map((r) => r.k)).toEqual(direct.rows.map((r) => r.k));
        return rollup.rows.map((r) => r.k);
      };
      expect((await counted(60)).length).toBeGreaterThan(60);
      expect((await counted(3600)).length).toBeGreaterThan(2);
      expect(await store.prune(T0 + 40 * 60_000, 100)).toBeGreaterThan(300);
      await counted(60);
      await counted(3600);

      const overview = new ConsoleOverviewStore(db.db);
      const names = ['users.password_reset', 'users.login.failure'];
      // Hour buckets read the hourly counts, 15-minute buckets the minutes, and an unaligned start the events: all agree.
      const hourly = await overview.series(names, T0, 3_600_000, 3);
      const quarter = await overview.series(names, T0, 15 * 60_000, 12);
      const sum = (xs: number[], k: number): number[] => Array.from({ length: xs.length / k }, (_, i) => xs.slice(i * k, i * k + k).reduce((a, b) => a + b, 0));
      expect(quarter.map((s) => sum(s.counts, 4))).toEqual(hourly.map((s) => s.counts));
      const unaligned = await overview.series(names, T0 + 1, 60_000, 120);
      const aligned = await overview.series(names, T0, 60_000, 121);
      expect(unaligned[0]?.counts.reduce((a, b) => a + b, 0)).toBe(aligned[0]?.counts.reduce((a, b) => a + b, 0));
    } finally {
      await db.close();
    }
  });
});
