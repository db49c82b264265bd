import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runCli } from '../helpers/cli.js';
import { startServe } from '../helpers/serve.js';
import { postgresTier } from '../helpers/env.js';
import { freshPostgres } from '../helpers/postgres.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'hush-proc-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the embedded database belongs to one process', () => {
  it('hush user add while hush serve runs on the same data folder stops with a clear message; serve keeps working', async () => {
    const dataDir = tmp();
    const serve = await startServe({ HUSH_DATA_DIR: dataDir, HUSH_POW: 'off' });
    try {
      expect(statSync(join(dataDir, 'secret')).mode & 0o777).toBe(0o600);
      expect(serve.output()).toMatch(/generated a new instance secret/);
      const add = await runCli(['user', 'add', '--email', 'a@example.com', '--password-stdin'], { env: { HUSH_DATA_DIR: dataDir }, input: 'correct horse battery\n' });
      expect(add.code).toBe(1);
      expect(add.stderr.trim()).toMatch(new RegExp(`^hush: the data folder .* is in use by process ${serve.child.pid ?? 0} .*DATABASE_URL`));
      expect(add.stderr).not.toMatch(/\n\s+at /);
      expect((await fetch(`${serve.url}/readyz`)).status).toBe(200);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
    // Once serve has stopped, the folder is free again, and the data is intact.
    const add = await runCli(['user', 'add', '--email', 'a@example.com', '--password-stdin'], { env: { HUSH_DATA_DIR: dataDir }, input: 'correct horse battery\n' });
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const list = await runCli(['user', 'list', '--show-emails'], { env: { HUSH_DATA_DIR: dataDir } });
    expect(list.stdout).toContain('a@example.com');
  }, 180_000);
});

describe('hush serve stops cleanly on SIGTERM', () => {
  it('finishes the request in flight, stops the worker, exits 0', async () => {
    const dataDir = tmp();
    // A long envelope floor keeps a request in flight while the signal arrives.
    const serve = await startServe({ HUSH_DATA_DIR: dataDir, HUSH_POW: 'off', HUSH_FLOOR_MIN: '1500ms', HUSH_ARGON2_MEMORY: '8192', HUSH_ARGON2_TIME: '1' });
    const inFlight = fetch(`${serve.url}/v1/recovery`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"x@example.com"}' });
    await new Promise((r) => setTimeout(r, 300));
    serve.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(202);
    expect(await serve.exited).toBe(0);
    expect(serve.output()).toMatch(/"msg":"stopped"/);
  }, 180_000);
});

const pgTier = postgresTier();
describe.skipIf(pgTier.skip)('migrations on PostgreSQL', () => {
  it('two processes migrating one empty database at once both succeed, and the schema is applied once', async () => {
    const fresh = await freshPostgres(pgTier.url ?? '');
    try {
      const env = { DATABASE_URL: fresh.url, HUSH_DATA_DIR: tmp() };
      const [a, b] = await Promise.all([runCli(['migrate'], { env }), runCli(['migrate'], { env })]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const outputs = [a.stdout, b.stdout].sort();
      expect(outputs.filter((o) => o.startsWith('applied')).length).toBe(1);
      expect(outputs.filter((o) => o.startsWith('database is up to date')).length).toBe(1);
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      const rows = await client.query<{ version: number }>('SELECT version FROM hush_migrations ORDER BY version');
      await client.end();
      expect(rows.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await fresh.drop();
    }
  }, 120_000);
});

describe('the CLI', () => {
  it.each([
    [['user', 'add'], /required option '--email <email>' not specified/],
    [['user', 'add', '--email', 'x@example.com', '--password', 'hunter2hunter2'], /unknown option '--password'/],
    [['user', 'list', '--limit', '0'], /--limit <n>' argument '0' is invalid/],
    [['nonsense'], /unknown command 'nonsense'/],
  ])('hush %j exits 2 with one line', async (args, message) => {
    const r = await runCli(args, { env: { HUSH_DATA_DIR: tmp() } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(message);
  });

  it('every command has --help', async () => {
    for (const args of [[], ['serve'], ['migrate'], ['user'], ['user', 'add'], ['user', 'list'], ['audit']]) {
      const r = await runCli([...args, '--help']);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: hush/);
    }
  }, 180_000);
});
