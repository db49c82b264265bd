import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { MIGRATIONS } from './migrations/index.js';

/** A constant key for pg_advisory_lock: two instances migrating at once take turns. */
const MIGRATION_LOCK = 0x6875_7368; // "hush"

export interface MigrationResult {
  applied: { version: number; name: string }[];
  current: number;
}

/**
 * Applies every pending migration, each in its own transaction, under a
 * session advisory lock held on one connection: safe when several instances
 * start at once (the second waits, then finds nothing left to do).
 */
export async function migrate(db: Kysely<Database>): Promise<MigrationResult> {
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS hush_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`.execute(conn);
      const done = new Set((await conn.selectFrom('hush_migrations').select('version').execute()).map((r) => r.version));
      const applied: { version: number; name: string }[] = [];
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await conn.transaction().execute(async (tx) => {
          for (const statement of m.up) await sql.raw(statement).execute(tx);
          await tx.insertInto('hush_migrations').values({ version: m.version, name: m.name, applied_at: new Date() }).execute();
        });
        applied.push({ version: m.version, name: m.name });
      }
      return { applied, current: Math.max(0, ...MIGRATIONS.map((m) => m.version)) };
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}

/** The newest migration this build knows. */
export const LATEST_MIGRATION = Math.max(0, ...MIGRATIONS.map((m) => m.version));

/** True when the database answers and every migration of this build is applied (readiness). */
export async function isMigrated(db: Kysely<Database>): Promise<boolean> {
  const row = await sql<{ v: number | null }>`SELECT max(version) AS v FROM hush_migrations`.execute(db);
  return (row.rows[0]?.v ?? 0) >= LATEST_MIGRATION;
}
