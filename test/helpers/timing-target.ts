import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRulesDir } from '../../src/detect/load-rules.js';
import type { TokenPurpose } from '../../src/core/token.js';
import { openDatabase } from '../../src/store/database.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { listen } from '../../src/http/server.js';
import type { RunningServer } from '../../src/http/server.js';
import { recoveryRequest } from '../../src/core/flows/index.js';
import { Hono } from 'hono';
import pg from 'pg';
import pino from 'pino';
import { createLogger } from '../../src/kernel/log.js';
import { testHush } from './hush.js';
import type { TestHush } from './hush.js';
import { createAccount } from './accounts.js';
import { freshPostgres } from './postgres.js';
import type { FreshDatabase } from './postgres.js';
import { compareClasses, labelled, precededBy, runProbe } from './timing-probe.js';
import type { Comparison, ProbeClass } from './timing-probe.js';

/**
 * A fresh hush instance to probe for timing (test/http/timing-suite.ts,
 * bench/timing.ts): served on 127.0.0.1 with its outbox worker running, four
 * confirmed accounts with a password (two with TOTP in force), limits,
 * proof-of-work and detection rules off, and the classes of requests to compare on each account endpoint.
 * Fresh because the leak issue 14 found was strongest on a server that had
 * not yet seen much: caches cold, the floor still learning.
 */

export const KNOWN = ['t1@example.com', 't2@example.com', 't3@example.com', 't4@example.com'];
const PASSWORD = 'timing test passphrase';
/** A password the policy accepts, so recovery/confirm reaches the token (it hashes it first). */
const NEW_PASSWORD = 'a new timing passphrase';

export type Store = 'pglite' | 'postgres';

export const IDENTIFIER_ENDPOINTS = ['/v1/signup', '/v1/login', '/v1/recovery', '/v1/magic-link'] as const;
export const TOKEN_ENDPOINTS = ['/v1/verify', '/v1/recovery/confirm', '/v1/magic-link/confirm'] as const;
export type Endpoint = (typeof IDENTIFIER_ENDPOINTS)[number] | (typeof TOKEN_ENDPOINTS)[number];

const identifierBody: Record<(typeof IDENTIFIER_ENDPOINTS)[number], (email: string) => string> = {
  '/v1/signup': (email) => JSON.stringify({ email }),
  '/v1/login': (email) => JSON.stringify({ email, password: 'wrong timing passphrase' }),
  '/v1/recovery': (email) => JSON.stringify({ email }),
  '/v1/magic-link': (email) => JSON.stringify({ email }),
};

const tokenEndpoint: Record<(typeof TOKEN_ENDPOINTS)[number], { purpose: TokenPurpose; body: (token: string) => string }> = {
  '/v1/verify': { purpose: 'verify', body: (token) => JSON.stringify({ token }) },
  '/v1/recovery/confirm': { purpose: 'recovery', body: (token) => JSON.stringify({ token, password: NEW_PASSWORD }) },
  '/v1/magic-link/confirm': { purpose: 'magic', body: (token) => JSON.stringify({ token }) },
};

/** The flow behind each endpoint, as the envelope names it. */
export const FLOW_OF: Record<Endpoint, string> = {
  '/v1/signup': 'signup',
  '/v1/login': 'login',
  '/v1/recovery': 'recovery.request',
  '/v1/magic-link': 'magic.request',
  '/v1/verify': 'verify',
  '/v1/recovery/confirm': 'recovery.confirm',
  '/v1/magic-link/confirm': 'magic.confirm',
};

export function isTokenEndpoint(e: Endpoint): e is (typeof TOKEN_ENDPOINTS)[number] {
  return (TOKEN_ENDPOINTS as readonly string[]).includes(e);
}

export interface TimingTargetOptions {
  store: Store;
  /** The PostgreSQL server to make a fresh database on (store `postgres`). */
  postgresUrl?: string | undefined;
  /** False switches the envelope off (to prove the probe sees the leak it hides). */
  envelope?: boolean;
  /** HUSH_FLOOR_MIN. */
  floorMin: string;
  /** More settings (HUSH_*). */
  env?: Record<string, string>;
  /** False leaves the outbox worker stopped (rows pile up, nothing is delivered): to tell its work from the rest. */
  worker?: boolean;
  /**
   * PostgreSQL's `synchronous_commit` for the fresh database (default off).
   * With it on, every commit waits for the WAL to reach the disk, and the
   * floor follows that disk's slowest fsyncs (35 to 55 ms on the shared
   * machines here), which makes 2,000 pairs a matter of minutes per
   * endpoint; the disk is not what is measured.
   */
  synchronousCommit?: boolean;
}

export interface TimingTarget {
  t: TestHush;
  server: RunningServer;
  base: URL;
  /**
   * The classes to probe `endpoint` with, `count` requests each: for an
   * identifier endpoint `unknown` (a fresh address every time) and `known`
   * (the four accounts in turn); for a token endpoint `unknown` (a fresh
   * random token) and `used`, labelled by turns `spent` (issued then
   * consumed, as after its link was opened) and `expired` (issued with an
   * expiry in the past), each used once, so each lookup meets what a first
   * lookup would (a dead index entry, say).
   */
  classes(endpoint: Endpoint, count: number): Promise<ProbeClass[]>;
  /** The floor a request to `endpoint` that starts now is held to (ms), or undefined with the envelope off (see ProbeOptions.floorOf). */
  floorOf(endpoint: Endpoint): (() => number) | undefined;
  close(): Promise<void>;
}

/**
 * Detection off: every shipped rule replaced by a disabled copy (HUSH_RULES_DIR, same id, `enabled: false`).
 * Thousands of requests from one client address are an attack to the shipped rules, and their answer
 * (a block, the same for known and unknown addresses) turns every later reply into the silent one: both
 * classes would then be measured on the guard's path, not the flow's, and the envelope-off run could not
 * tell them apart. Like the limits and the proof-of-work, detection is not what is measured here; the
 * events still flow through the outbox into the engine.
 */
function rulesOff(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hush-timing-rules-'));
  for (const f of readdirSync(defaultRulesDir()).filter((n) => n.endsWith('.yaml'))) {
    writeFileSync(join(dir, f), `${readFileSync(join(defaultRulesDir(), f), 'utf8').trimEnd()}\nenabled: false\n`);
  }
  return dir;
}

export async function timingTarget(options: TimingTargetOptions): Promise<TimingTarget> {
  const rulesDir = rulesOff();
  let fresh: FreshDatabase | undefined;
  let database: DatabaseHandle;
  // The embedded store in a data folder, as `hush serve` opens it (not the in-memory one other tests use).
  const dbDir = mkdtempSync(join(tmpdir(), 'hush-timing-db-'));
  if (options.store === 'postgres') {
    if (options.postgresUrl === undefined) throw new Error('the postgres store needs a server URL');
    fresh = await freshPostgres(options.postgresUrl);
    if (options.synchronousCommit !== true) await setSynchronousCommitOff(fresh.url);
    database = await openDatabase({ databaseUrl: fresh.url, dataDir: dbDir });
  } else {
    database = await openDatabase({ dataDir: dbDir });
  }
  // argon2id at m=8 MiB, t=1: the same parameters on both paths (the dummy hash follows the live ones), at a
  // third of the CPU; what is measured is the envelope, not argon2's cost.
  const env = {
    HUSH_LIMITS: 'off',
    HUSH_POW: 'off',
    HUSH_ARGON2_MEMORY: '8192',
    HUSH_ARGON2_TIME: '1',
    HUSH_FLOOR_MIN: options.floorMin,
    HUSH_HOST: '127.0.0.1',
    HUSH_PORT: '0',
    HUSH_RULES_DIR: rulesDir,
    // Plain http, as the probe speaks it: with an https origin the token endpoints refuse it (403) before any flow.
    HUSH_ORIGIN: 'http://id.example.test',
    ...options.env,
  };
  // Logs at info, as `hush serve` writes them (a line per request, per delivered row), into a file.
  const logFile = pino.destination({ dest: join(dbDir, 'hush.log'), sync: true });
  const t = await testHush(env, { envelope: options.envelope ?? true, database, logger: createLogger({ level: 'info', destination: logFile }) });
  const cleanUp = async (): Promise<void> => {
    await t.close();
    await fresh?.drop();
    logFile.end();
    rmSync(rulesDir, { recursive: true, force: true });
    rmSync(dbDir, { recursive: true, force: true });
  };
  try {
    // Before the worker starts: createAccount delivers its mail by hand.
    for (const email of KNOWN) await createAccount(t, email, PASSWORD);
    const identities = await Promise.all(KNOWN.map(async (email) => (await t.hush.store.identities.findByEmail(email))!.id));
    // Half the known accounts have TOTP in force: a wrong password for them is the same one failure, in the same time.
    for (const [i, id] of identities.entries()) {
      if (i % 2 === 0) continue;
      const { sealed } = t.hush.flows.secondFactor.newSecret({ id, email: KNOWN[i]! });
      await t.hush.store.secondFactors.setPending(id, sealed, new Date());
      if (!(await t.hush.store.secondFactors.enable(id, sealed, 0, new Date()))) throw new Error('TOTP could not be turned on');
    }
    if (options.worker ?? true) t.hush.worker.start();
    const server = await t.hush.listen();
    let seq = 0;
    return {
      t,
      server,
      base: new URL(server.url),
      async classes(endpoint, count) {
        const run = ++seq;
        if (!isTokenEndpoint(endpoint)) {
          const body = identifierBody[endpoint];
          return [
            { name: 'unknown', request: (i) => ({ path: endpoint, body: body(`u${run}-${i}@example.com`) }) },
            { name: 'known', request: (i) => ({ path: endpoint, body: body(KNOWN[i % KNOWN.length]!) }) },
          ];
        }
        const { purpose, body } = tokenEndpoint[endpoint];
        // Pairs of an unknown token and a used one, spent and expired by turns: 2,000 pairs cost 4,000
        // requests, not 6,000, and each kind is still compared on its own (half the pairs each).
        const spent = await tokensFor(t, purpose, identities, Math.ceil(count / 2), 'spent');
        const expired = await tokensFor(t, purpose, identities, Math.ceil(count / 2), 'expired');
        return [
          { name: 'unknown', request: () => ({ path: endpoint, body: body(t.hush.flows.tokens.mint().token) }) },
          {
            name: 'used',
            request: (i) => ({ path: endpoint, body: body((i % 2 === 0 ? spent : expired)[i >> 1] ?? '') }),
            label: (i) => (i % 2 === 0 ? 'spent' : 'expired'),
          },
        ];
      },
      floorOf(endpoint) {
        const { envelope } = t.hush;
        return envelope.enabled ? () => envelope.floorFor(FLOW_OF[endpoint]) : undefined;
      },
      async close() {
        await server.close(1000);
        await cleanUp();
      },
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

async function setSynchronousCommitOff(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // The pool's sessions open after this, so all of them take it.
    await client.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET synchronous_commit = off`);
  } finally {
    await client.end();
  }
}

/**
 * `count` tokens of `purpose` straight through the token repository, with the statements the flows use: `spent`
 * ones inserted and consumed (the row is gone, its index entry dead until vacuumed), `expired` ones inserted
 * with an expiry an hour ago. Bound to the known identities (verify: to addresses), as real ones would be.
 */
async function tokensFor(t: TestHush, purpose: TokenPurpose, identities: readonly string[], count: number, kind: 'spent' | 'expired'): Promise<string[]> {
  const { tokens } = t.hush.store;
  const now = Date.now();
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const { token, hash } = t.hush.flows.tokens.mint();
    const subject = purpose === 'verify' ? { identityId: null, identifier: `${kind}-${i}@example.com` } : { identityId: identities[i % identities.length]!, identifier: null };
    const createdAt = new Date(kind === 'expired' ? now - 2 * 3_600_000 : now);
    const expiresAt = new Date(kind === 'expired' ? now - 3_600_000 : now + 3_600_000);
    await tokens.insert({ hash, purpose, ...subject, createdAt, expiresAt });
    if (kind === 'spent' && (await t.hush.flows.tokens.consume(tokens, token, purpose)) === null) throw new Error('a fresh token could not be spent');
    out.push(token);
  }
  return out;
}

/** Holds the thread for `us` microseconds (what a slower path costs). */
export function busyWait(us: number): void {
  const until = performance.now() + us / 1000;
  while (performance.now() < until);
}

/**
 * A server with two leaks of known size planted, to prove the probe finds
 * them: the real recovery flow of the target's instance (its guards, its
 * envelope, its floor), run through the guarded-flow runner as the JSON API
 * runs it, and for a known address only, `delayUs` of busy work before the
 * envelope starts (the reply is released that much later: path-dependent
 * work the floor does not cover, for the probe to find) and as much again on
 * the loop turn after the reply was written (work a request leaves behind,
 * which only what comes next waits for: the canary's channel). The two do not
 * mix: the first is over before the clock starts, the second starts after
 * the reply is out.
 */
export async function plantedServer(target: TimingTarget, delayUs: number): Promise<{ base: URL; classes(count: number): Promise<ProbeClass[]>; close(): Promise<void> }> {
  const { hush } = target.t;
  const known = new Set(KNOWN);
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.post('/planted', async (c) => {
    const fields = await c.req.json<Record<string, unknown>>();
    const isKnown = known.has(String(fields.email));
    if (isKnown) busyWait(delayUs);
    const outcome = await hush.runGuarded(recoveryRequest, fields, { ip: '127.0.0.1', userAgent: null });
    if (isKnown) setImmediate(() => busyWait(delayUs));
    return c.json(outcome.reply.body, outcome.reply.status as 202);
  });
  const server = await listen(app, { host: '127.0.0.1', port: 0 });
  return {
    base: new URL(server.url),
    async classes(count) {
      const real = await target.classes('/v1/recovery', count);
      return real.map((c) => ({ name: c.name, request: (i: number) => ({ ...c.request(i), path: '/planted' }) }));
    },
    close: () => server.close(1000),
  };
}

export interface EndpointResult {
  endpoint: string;
  /**
   * Each class against `unknown`, named by the class, then each labelled part of a class against `unknown`,
   * then what a probe leaves behind: each class's probes after a probe of another class against its probes
   * after an unknown one (`label` says so).
   */
  comparisons: { name: string; label?: string; c: Comparison }[];
  /** Statuses seen per class (one each, or the run measured more than one path). */
  statuses: Record<string, Record<number, number>>;
  ms: number;
  /** The floor at the end of the run (ms), when known. */
  floorMs: number | undefined;
}

/** Probes one endpoint with its classes and compares each against `unknown`. */
export async function probeEndpoint(
  base: URL,
  endpoint: string,
  classes: readonly ProbeClass[],
  options: { rounds: number; warmUpRounds: number; seed: number; deadlineMs: number; floorMs: number; floorOf?: (() => number) | undefined },
): Promise<EndpointResult> {
  const { floorOf, ...rest } = options;
  const run = await runProbe({ base, classes, ...rest, ...(floorOf === undefined ? {} : { floorOf }) });
  const unknown = run.classes.unknown!;
  const comparisons: EndpointResult['comparisons'] = [];
  for (const k of classes.filter((c) => c.name !== 'unknown')) {
    const sample = run.classes[k.name]!;
    comparisons.push({ name: k.name, c: compareClasses(sample, unknown) });
    const labels = [...new Set(sample.labels)];
    if (labels.length > 1) for (const label of labels) comparisons.push({ name: label, c: compareClasses(labelled(sample, label), unknown) });
  }
  for (const k of classes.filter((c) => c.name !== 'unknown')) {
    for (const own of classes) {
      const sample = run.classes[own.name]!;
      const name = `${own.name} after ${k.name}`;
      comparisons.push({ name, label: `${own.name} probes after ${k.name}−after unknown`, c: compareClasses(precededBy(sample, k.name), precededBy(sample, 'unknown')) });
    }
  }
  return { endpoint, comparisons, statuses: Object.fromEntries(Object.entries(run.classes).map(([k, v]) => [k, v.statuses])), ms: run.ms, floorMs: floorOf?.() };
}
