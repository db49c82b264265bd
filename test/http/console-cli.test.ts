import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { KyselyIdentityRepository } from '../../src/store/identities.js';
import { ConsoleAccessStore } from '../../src/store/console-access.js';
import { postgresTier } from '../helpers/env.js';
import { freshPostgres } from '../helpers/postgres.js';
import type { FreshDatabase } from '../helpers/postgres.js';

/**
 * `hush operator add|list|remove`, run in this process on the configured
 * store (PostgreSQL when HUSH_TEST_DATABASE_URL is set, else a PGlite data
 * folder): the role is granted to an existing identity only, listed masked,
 * and taken back; mistakes exit 1 (nothing to do) or 2 (bad usage).
 */
describe('hush operator', () => {
  let dataDir: string;
  let database: FreshDatabase | undefined;
  const saved = { ...process.env };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hush-operator-'));
    const pg = postgresTier();
    database = pg.url === undefined ? undefined : await freshPostgres(pg.url);
    process.env.HUSH_DATA_DIR = dataDir;
    process.env.HUSH_LOG_LEVEL = 'silent';
    if (database !== undefined) process.env.DATABASE_URL = database.url;
    const handle = await openDatabase({ ...(database === undefined ? {} : { databaseUrl: database.url }), dataDir, poolSize: 1 });
    try {
      await migrate(handle.db);
      const now = new Date();
      await new KyselyIdentityRepository(handle.db).create({ id: 'ops-1', email: 'ops@example.com', passwordHash: null, verifiedAt: now, createdAt: now });
    } finally {
      await handle.close();
    }
  }, 120_000);
  afterAll(async () => {
    process.env = saved;
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      process.exitCode = undefined;
      return { code: await runCli(['node', 'hush', ...args]), out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('grants, lists (masked), and takes back the role', async () => {
    expect(await run('operator', 'add', ' OPS@example.com')).toMatchObject({ code: 0, out: 'o***@example.com (ops-1) is now an operator\n' });
    expect(await run('operator', 'add', 'ops@example.com')).toMatchObject({ code: 0, out: 'o***@example.com (ops-1) was already an operator\n' });
    const listed = await run('operator', 'list');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^ops-1\to\*\*\*@example\.com\t\d{4}-/);
    expect(listed.out).not.toContain('ops@example.com');
    expect(await run('operator', 'add', 'nobody@example.com')).toMatchObject({ code: 1 });
    expect(await run('operator', 'add', 'not an address\u0000')).toMatchObject({ code: 2 });
    expect(await run('operator', 'remove', 'ops@example.com')).toMatchObject({ code: 0, out: 'o***@example.com is no longer an operator\n' });
    expect(await run('operator', 'remove', 'ops@example.com')).toMatchObject({ code: 1 });
    const handle = await openDatabase({ ...(database === undefined ? {} : { databaseUrl: database.url }), dataDir, poolSize: 1 });
    try {
      expect(await new ConsoleAccessStore(handle.db).list()).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
