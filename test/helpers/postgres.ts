import pg from 'pg';
import { randomBytes } from 'node:crypto';

/**
 * A fresh, empty PostgreSQL database on the server named by HUSH_TEST_DATABASE_URL,
 * so that test files never share state; dropped by `drop()`.
 */
export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function freshPostgres(serverUrl: string): Promise<FreshDatabase> {
  const name = `hush_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop(): Promise<void> {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
