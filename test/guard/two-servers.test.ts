import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMailbox } from '../../src/mail/index.js';
import { runCli } from '../helpers/cli.js';
import { postgresTier, redisTier } from '../helpers/env.js';
import { freshPostgres } from '../helpers/postgres.js';
import type { FreshDatabase } from '../helpers/postgres.js';
import { startServe } from '../helpers/serve.js';
import type { ServeProcess } from '../helpers/serve.js';

/**
 * Two `hush serve` processes on one PostgreSQL and one real Redis share one
 * budget: 6 recovery requests for one identifier, split across both, send at
 * most 5 mails. (Both share HUSH_SECRET: identifiers are keyed by an HMAC under it.)
 */
const pg = postgresTier();
const redis = redisTier();
const servers: ServeProcess[] = [];
const dirs: string[] = [];
let fresh: FreshDatabase | undefined;

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await fresh?.drop();
});

async function serve(env: Record<string, string>): Promise<string> {
  const server = await startServe(env);
  servers.push(server);
  return server.url;
}

describe.skipIf(pg.skip || redis.skip)('two hush serve processes on one Redis', () => {
  it('share one budget: 6 recovery requests for one identifier, split across both, send at most 5 mails', async () => {
    fresh = await freshPostgres(pg.url!);
    const base: Record<string, string> = {
      DATABASE_URL: fresh.url,
      REDIS_URL: redis.url!,
      HUSH_SECRET: `two-servers-${randomBytes(16).toString('hex')}`,
      // Both servers share one prefix (one budget), apart from every other test on this Redis.
      HUSH_REDIS_PREFIX: `t-${randomBytes(6).toString('hex')}:`,
      HUSH_POW: 'off',
      HUSH_PORT: '0',
      // One deployment, one public origin: a worker refuses mail whose links point elsewhere.
      HUSH_ORIGIN: 'https://id.example.test',
      HUSH_LOG_LEVEL: 'info',
      HUSH_ARGON2_MEMORY: '8192',
      HUSH_ARGON2_TIME: '1',
      HUSH_FLOOR_MIN: '5ms',
    };
    const dataDir = (): string => {
      const d = mkdtempSync(join(tmpdir(), 'hush-two-'));
      dirs.push(d);
      return d;
    };
    const add = await runCli(['user', 'add', '--email', 'known@example.com', '--password-stdin'], { env: { ...base, HUSH_DATA_DIR: dataDir() }, input: 'a known passphrase\n' });
    expect(add.code, add.stderr).toBe(0);
    const dirA = dataDir();
    const dirB = dataDir();
    const [a, b] = await Promise.all([serve({ ...base, HUSH_DATA_DIR: dirA }), serve({ ...base, HUSH_DATA_DIR: dirB })]);
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${i % 2 === 0 ? a : b}/v1/recovery`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'known@example.com' }) });
      expect(res.status).toBeLessThan(300);
    }
    const mails = async (): Promise<number> => (await readMailbox(join(dirA, 'mailbox')).catch(() => [])).length + (await readMailbox(join(dirB, 'mailbox')).catch(() => [])).length;
    for (let i = 0; i < 100 && (await mails()) < 5; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500)); // time for a sixth, were there one
    expect(await mails()).toBe(5);
  });
});
