import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createHush } from '../../src/hush.js';
import type { RunningServer } from '../../src/http/server.js';
import { loadConfig } from '../../src/kernel/config.js';
import { readMailbox } from '../../src/mail/index.js';

export const KNOWN = ['alice.audit@example.com', 'bob.audit@example.com'];

/**
 * A hush server on a free loopback port, as an audit runs it: no proof-of-work, no rate limits, and
 * X-Forwarded-For trusted (the auditor's sequences are a fresh client per run).
 */
export async function withHush<T>(envelope: boolean, fn: (url: string) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hush-audit-server-'));
  const config = loadConfig({
    HUSH_DATA_DIR: dataDir,
    HUSH_HOST: '127.0.0.1',
    HUSH_PORT: '0',
    HUSH_POW: 'off',
    HUSH_LIMITS: 'off',
    HUSH_TRUST_PROXY: '1',
    HUSH_LOG_LEVEL: 'silent',
    // The cheapest argon2id hush accepts and a small floor keep the suite fast; the envelope adapts its floor above the work anyway.
    HUSH_ARGON2_MEMORY: '8192',
    HUSH_ARGON2_TIME: '1',
    HUSH_FLOOR_MIN: '4ms',
  });
  const hush = await createHush({ config, envelope });
  let server: RunningServer | undefined;
  try {
    server = await hush.listen();
    for (const email of KNOWN) {
      const res = await fetch(`${server.url}/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });
      expect(res.status).toBeLessThan(300);
    }
    // Known accounts must be confirmed ones with a password (docs/audit.md): a pending address behaves like a fresh claim.
    // Opening the link signs in; the fresh session chooses the password.
    await hush.worker.runOnce();
    for (const link of (await readMailbox(join(dataDir, 'mailbox'))).flatMap((m) => m.links).filter((l) => l.includes('/verify#token='))) {
      const res = await fetch(`${server.url}/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: new URL(link).hash.slice('#token='.length) }) });
      expect(res.status).toBe(200);
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const set = await fetch(`${server.url}/v1/password`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ password: 'a long enough audit password 1' }) });
      expect(set.status).toBe(200);
    }
    return await fn(server.url);
  } finally {
    await server?.close(1000);
    await hush.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

