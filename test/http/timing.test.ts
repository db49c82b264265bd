import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRulesDir } from '../../src/detect/load-rules.js';
import { testHush } from '../helpers/hush.js';
import { createAccount } from '../helpers/accounts.js';
import type { TestHush } from '../helpers/hush.js';
import { runPool, timedPost } from '../helpers/load.js';
import { mannWhitney } from '../../src/audit/stats/mann-whitney.js';
import { SeededRandom } from '../../src/kernel/random.js';
import { openDatabase } from '../../src/store/database.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { postgresTier } from '../helpers/env.js';
import { freshPostgres } from '../helpers/postgres.js';
import type { FreshDatabase } from '../helpers/postgres.js';

const pg = postgresTier();

/**
 * design.md §4.1 over a real socket: for each identifier endpoint, 2,000
 * interleaved requests per class (existing, unknown) and a two-sided
 * Mann-Whitney U at α = 1e-3 must not tell the classes apart. The same test
 * with the envelope switched off must tell them apart, which proves it has
 * the power to. Limits and proof-of-work are off so the flows themselves are
 * measured.
 */
const SAMPLES = 2000;
const ALPHA = 1e-3;
const KNOWN = ['t1@example.com', 't2@example.com', 't3@example.com', 't4@example.com'];
const PASSWORD = 'timing test passphrase';

const bodies: Record<string, (email: string) => string> = {
  '/v1/recovery': (email) => JSON.stringify({ email }),
  '/v1/signup': (email) => JSON.stringify({ email, password: 'another timing passphrase' }),
  '/v1/login': (email) => JSON.stringify({ email, password: 'wrong timing passphrase' }),
  '/v1/magic-link': (email) => JSON.stringify({ email }),
};

interface Sampled {
  known: number[];
  unknown: number[];
}

async function sample(base: URL, path: string, perClass: number, seed: number, concurrency: number): Promise<Sampled> {
  const rng = new SeededRandom(seed);
  const order = Array.from({ length: perClass * 2 }, (_, i) => i % 2 === 0);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j] ?? false, order[i] ?? false];
  }
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const body = bodies[path] ?? ((): string => '{}');
  let n = 0;
  const tasks = order.map((known) => async () => {
    const email = known ? (KNOWN[n++ % KNOWN.length] ?? '') : `u${seed}-${n++}@example.com`;
    const r = await timedPost(agent, base, path, body(email));
    return { known, ...r };
  });
  // A warm-up the statistics do not see: JIT, connection set-up, the envelope learning its floor.
  await runPool(warmUp(path, body, agent, base), concurrency, 60_000);
  const results = await runPool(tasks, concurrency, 280_000);
  agent.destroy();
  expect(new Set(results.map((r) => r.status)).size).toBe(1);
  return { known: results.filter((r) => r.known).map((r) => r.ms), unknown: results.filter((r) => !r.known).map((r) => r.ms) };
}

function warmUp(path: string, body: (email: string) => string, agent: Agent, base: URL): (() => Promise<unknown>)[] {
  return Array.from({ length: 64 }, (_, i) => () => timedPost(agent, base, path, body(i % 2 === 0 ? (KNOWN[0] ?? '') : `warm-${i}@example.com`)));
}

/** Confirmed accounts with a password (sign up, open the link, choose it from the fresh session), so login checks a real hash for them. */
async function knownAccounts(t: TestHush): Promise<void> {
  for (const email of KNOWN) await createAccount(t, email, PASSWORD);
}

/**
 * Detection off: every shipped rule replaced by a disabled copy (HUSH_RULES_DIR, same id, `enabled: false`).
 * Thousands of requests from one client address are an attack to the shipped rules, and their answer
 * (a block, the same for known and unknown addresses) turns every later reply into the silent one: both
 * classes would then be measured on the guard's path, not the flow's, and the envelope-off run could not
 * tell them apart. Like the limits and the proof-of-work, detection is not what this file measures.
 */
function rulesOff(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hush-timing-rules-'));
  for (const f of readdirSync(defaultRulesDir()).filter((n) => n.endsWith('.yaml'))) {
    writeFileSync(join(dir, f), `${readFileSync(join(defaultRulesDir(), f), 'utf8').trimEnd()}\nenabled: false\n`);
  }
  return dir;
}

// argon2id at m=8 MiB, t=1: the same parameters on both paths (the dummy hash follows the live ones), at a
// third of the CPU, so 16,000 requests fit the CI budget; what is measured is the envelope, not argon2's cost.
const ENV = { HUSH_LIMITS: 'off', HUSH_POW: 'off', HUSH_ARGON2_MEMORY: '8192', HUSH_ARGON2_TIME: '1', HUSH_FLOOR_MIN: '20ms', HUSH_HOST: '127.0.0.1', HUSH_PORT: '0', HUSH_RULES_DIR: rulesOff() };

describe.each([
  ['on', true],
  ['off', false],
] as const)('timing with the envelope %s', (_label, envelope) => {
  let t: TestHush;
  let base: URL;
  let close: (() => Promise<void>) | undefined;
  let fresh: FreshDatabase | undefined;
  let database: DatabaseHandle | undefined;

  beforeAll(async () => {
    // On PostgreSQL when there is one (CI): the production store, whose pool lets requests overlap;
    // otherwise the embedded store, where one connection serialises them (slower, same verdicts).
    if (!pg.skip) {
      fresh = await freshPostgres(pg.url ?? '');
      database = await openDatabase({ databaseUrl: fresh.url, dataDir: '/nonexistent', poolSize: 20 });
    }
    t = await testHush(ENV, { envelope, ...(database ? { database } : {}) });
    await knownAccounts(t);
    t.hush.worker.start();
    const server = await t.hush.listen();
    base = new URL(server.url);
    close = () => server.close(1000);
  }, 120_000);
  afterAll(async () => {
    await close?.();
    await t?.close();
    await fresh?.drop();
  });

  // Without the envelope, magic-link's two paths already do the same work (both mail), so there is nothing to find.
  const paths = envelope ? Object.keys(bodies) : ['/v1/recovery', '/v1/signup', '/v1/login'];
  it.each(paths)(
    `%s: known and unknown addresses are ${envelope ? 'indistinguishable' : 'told apart'} (Mann-Whitney U, α = 1e-3)`,
    async (path) => {
      // With the floor, requests mostly wait, so several can be in flight; without it, one at a time keeps queueing noise out.
      const concurrency = envelope ? 16 : 1;
      const s = await sample(base, path, SAMPLES, path.length * 7919 + (envelope ? 1 : 2), concurrency);
      expect(s.known).toHaveLength(SAMPLES);
      const mw = mannWhitney(s.known, s.unknown);
      const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
      const summary = `${path} envelope=${envelope ? 'on' : 'off'}: median known ${med(s.known).toFixed(2)} ms, unknown ${med(s.unknown).toFixed(2)} ms, z=${mw.z.toFixed(2)}, p=${mw.p.toExponential(2)}`;
      process.stdout.write(`${summary}\n`);
      if (envelope) expect(mw.p, summary).toBeGreaterThanOrEqual(ALPHA);
      else expect(mw.p, summary).toBeLessThan(ALPHA);
    },
    300_000,
  );
});
