import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHush } from '../../src/hush.js';
import type { Hush, HushOptions } from '../../src/hush.js';
import { loadConfig } from '../../src/kernel/config.js';
import { openMemoryDatabase } from '../../src/store/database.js';
import { readMailbox } from '../../src/mail/index.js';
import type { MailboxMessage } from '../../src/mail/index.js';
import { silentLogger } from '../../src/kernel/log.js';

export interface TestHush {
  hush: Hush;
  dataDir: string;
  /** An in-process request, as if from `ip` (default 198.51.100.7). */
  request(path: string, init?: RequestInit & { json?: unknown; form?: Record<string, string> }, ip?: string): Promise<Response>;
  /** Runs the outbox worker until the outbox is empty. */
  deliver(): Promise<void>;
  /** The dev mailbox, after delivering what is queued. */
  mailbox(): Promise<MailboxMessage[]>;
  /** The newest link in mail to `to` that contains `marker`. */
  linkFor(to: string, marker: string): Promise<string>;
  close(): Promise<void>;
}

/** Settings for tests: cheap argon2 (unless a test needs the real cost), no proof-of-work, quiet logs. */
export const TEST_ENV: Record<string, string> = {
  HUSH_LOG_LEVEL: 'silent',
  HUSH_POW: 'off',
  HUSH_ARGON2_MEMORY: '8192',
  HUSH_ARGON2_TIME: '1',
  HUSH_FLOOR_MIN: '5ms',
  HUSH_ORIGIN: 'https://id.example.test',
  HUSH_SECRET: 'test-secret-test-secret-test-secret-0123',
};

/** A hush instance on an in-memory database and a temporary data folder; its worker is driven by `deliver()`. */
export async function testHush(env: Record<string, string> = {}, options: Partial<HushOptions> = {}): Promise<TestHush> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hush-test-'));
  const config = loadConfig({ ...TEST_ENV, HUSH_DATA_DIR: dataDir, ...env });
  const hush = await createHush({ config, logger: silentLogger(), worker: false, database: options.database ?? (await openMemoryDatabase()), ...options });
  const deliver = async (): Promise<void> => {
    for (let i = 0; i < 100 && (await hush.worker.runOnce()) > 0; i++);
  };
  return {
    hush,
    dataDir,
    request(path, init = {}, ip = '198.51.100.7') {
      const headers = new Headers(init.headers);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      } else if (init.form !== undefined) {
        headers.set('content-type', 'application/x-www-form-urlencoded');
        body = new URLSearchParams(init.form).toString();
      }
      const method = init.method ?? (body === undefined ? 'GET' : 'POST');
      return Promise.resolve(hush.app.request(path, { ...init, method, headers, body }, { incoming: { socket: { remoteAddress: ip, encrypted: true } } }));
    },
    deliver,
    async mailbox() {
      await deliver();
      return readMailbox(join(dataDir, 'mailbox'));
    },
    async linkFor(to, marker) {
      await deliver();
      const mail = (await readMailbox(join(dataDir, 'mailbox'))).filter((m) => m.to.includes(to));
      const link = mail.flatMap((m) => m.links).filter((l) => l.includes(marker)).pop();
      if (link === undefined) throw new Error(`no ${marker} link in mail to ${to}`);
      return link;
    },
    async close() {
      await hush.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The token in a link's fragment (`…#token=…`). */
export function tokenOf(link: string): string {
  const t = new URL(link).hash.replace(/^#token=/, '');
  if (t.length === 0) throw new Error('no token in link');
  return t;
}

/** Status, headers bar Date, and body: what must be byte-identical between account classes. */
export async function observable(res: Response): Promise<{ status: number; headers: [string, string][]; body: string }> {
  const headers = [...res.headers.entries()].filter(([k]) => k !== 'date');
  return { status: res.status, headers, body: await res.text() };
}
