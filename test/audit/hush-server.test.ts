import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hushProbes } from '../../src/audit/spec.js';
import { createHush } from '../../src/hush.js';
import type { RunningServer } from '../../src/http/server.js';
import { loadConfig } from '../../src/kernel/config.js';
import { cryptoRandom } from '../../src/kernel/random.js';
import { audit } from './helpers.js';
import { readMailbox } from '../../src/mail/index.js';

const KNOWN = ['alice.audit@example.com', 'bob.audit@example.com'];

/** A hush server on a free loopback port, as an audit runs it: no proof-of-work, no rate limits. */
async function withHush<T>(envelope: boolean, fn: (url: string) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hush-audit-server-'));
  const config = loadConfig({
    HUSH_DATA_DIR: dataDir,
    HUSH_HOST: '127.0.0.1',
    HUSH_PORT: '0',
    HUSH_POW: 'off',
    HUSH_LIMITS: 'off',
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

describe("hush's own server under `hush audit --hush`", () => {
  it('passes: no finding on any identifier endpoint, on any channel', async () => {
    const report = await withHush(true, (url) => audit(hushProbes(url, KNOWN, cryptoRandom), { maxPerClass: 40, warmup: 5 }));
    expect(report.endpoints.map((e) => e.name)).toEqual(['signup', 'login', 'recovery', 'magic-link']);
    const found = report.endpoints.flatMap((e) => e.verdicts.filter((v) => v.finding).map((v) => `${e.name}/${v.channel}: ${v.summary} ${v.evidence.join(' ')}`));
    expect(found).toEqual([]);
  }, 120_000);

  it('with the envelope switched off, the audit finds the timing leak', async () => {
    // Without the envelope there is no floor and no dummy hash: login checks a
    // real hash only for known accounts, and signup's two paths do different
    // database work. The audit stops at the first look that shows a leak.
    const probes = (url: string) => hushProbes(url, KNOWN, cryptoRandom).filter((p) => p.name === 'signup' || p.name === 'login');
    const report = await withHush(false, (url) => audit(probes(url), { maxPerClass: 320, warmup: 5 }));
    const timing = report.endpoints.filter((e) => e.verdicts.some((v) => v.channel === 'time' && v.finding));
    expect(timing.map((e) => e.name).length, JSON.stringify(report.endpoints.map((e) => [e.name, e.timing.mannWhitney, e.timing.deciles.map((d) => [d.p, Math.round(d.diff), Math.round(d.se)])]))).toBeGreaterThan(0);
    // Switching the envelope off changes only timing: content must stay identical.
    const content = report.endpoints.flatMap((e) => e.verdicts.filter((v) => v.channel !== 'time' && v.finding).map((v) => `${e.name}/${v.channel}`));
    expect(content).toEqual([]);
  }, 150_000);
});
