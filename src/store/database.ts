import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { Database } from './schema.js';
import { PGlitePool } from './pglite-pool.js';
import { DataDirLock } from './data-dir.js';
import { HushError } from '../kernel/errors.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; absent → embedded PGlite in `dataDir/db`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Largest number of PostgreSQL connections. */
  poolSize?: number;
}

// int8 (bigserial ids, counts) as strings, timestamps as Date: the same on both drivers.
pg.types.setTypeParser(20, (v: string) => v);
const INT8_AS_STRING = { 20: (v: string): string => v };

/** Opens the store: PostgreSQL when a URL is given, else the embedded PGlite (locked to this process). */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl !== undefined) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const lock = DataDirLock.acquire(options.dataDir);
  try {
    const dir = join(options.dataDir, 'db');
    mkdirSync(dir, { recursive: true });
    const pglite = await PGlite.create(dir, { parsers: INT8_AS_STRING });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }) });
    return {
      db,
      kind: 'pglite',
      close: async (): Promise<void> => {
        try {
          await db.destroy();
          await pglite.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    lock.release();
    if (err instanceof HushError) throw err;
    throw new HushError('HUSH_STORE_FAILURE', { message: `could not open the embedded database in ${options.dataDir}`, cause: err });
  }
}

/** An in-memory PGlite database, for tests and tools that need a throwaway store. */
export async function openMemoryDatabase(): Promise<DatabaseHandle> {
  const pglite = await PGlite.create({ parsers: INT8_AS_STRING });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }) });
  return {
    db,
    kind: 'pglite',
    close: async (): Promise<void> => {
      await db.destroy();
      await pglite.close();
    },
  };
}
