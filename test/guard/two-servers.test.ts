import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { readMailbox } from '../../src/mail/index.js';
import { postgresTier, redisTier } from '../helpers/env.js';
import { freshPostgres } from '../helpers/postgres.js';
import type { FreshDatabase } from '../helpers/postgres.js';

/**
 * Two `hush serve` processes on one PostgreSQL and one real Redis share one
 * budget: 6 recovery requests for one identifier, split across both, send at
 * most 5 mails. (Both share HUSH_SECRET: identifiers are keyed by an HMAC under it.)
 */
const pg = postgresTier();
const redis = redisTier();
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'hush.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];
let fresh: FreshDatabase | undefined;

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await fresh?.drop();
});

function serve(env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [bin, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('hush serve did not start')), 60_000);
    lines.on('line', (line) => {
      try {
        const rec = JSON.parse(line) as { msg?: string; url?: string };
        if (rec.msg === 'hush is serving' && rec.url !== undefined) {
          clearTimeout(timer);
          resolve(rec.url);
        }
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`hush serve exited with ${String(code)}`)));
  });
}

describe.skipIf(pg.skip || redis.skip)('two hush serve processes on one Redis', () => {
  it('share one budget: 6 recovery requests for one identifier, split across both, send at most 5 mails', async () => {
    fresh = await freshPostgres(pg.url!);
    const base: NodeJS.ProcessEnv = {
      ...process.env,
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
    const add = spawnSync(process.execPath, [bin, 'user', 'add', '--email', 'known@example.com', '--password-stdin'], { env: { ...base, HUSH_DATA_DIR: dataDir() }, input: 'a known passphrase\n', encoding: 'utf8' });
    expect(add.status, add.stderr).toBe(0);
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
