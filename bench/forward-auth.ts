/**
 * `npm run bench -- forward-auth`: requests/s of `GET /v1/forward-auth` with
 * a live session cookie (what the proxy asks on every request to the app),
 * and without one (401), through hush's whole middleware, against the bare
 * HTTP ceiling in the same run: a Hono app on the same server code answering
 * an empty 200. Closed loop, keep-alive, CONCURRENCY requests in flight.
 * The embedded store by default; BENCH_DATABASE_URL names a PostgreSQL server
 * to run on a fresh database there. BENCH_SECONDS (default 5) per run.
 */
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { createHush } from '../src/hush.js';
import { loadConfig } from '../src/kernel/config.js';
import { silentLogger } from '../src/kernel/log.js';
import { openDatabase, openMemoryDatabase } from '../src/store/database.js';
import { listen } from '../src/http/server.js';
import { freshPostgres } from '../test/helpers/postgres.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = 2;
const CONCURRENCY = 32;

/** Sends GETs with `headers`, CONCURRENCY at a time over keep-alive, for `seconds`; counts replies with `status`. */
async function closedLoop(url: string, headers: Record<string, string>, status: number, seconds: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(url);
  const stopAt = performance.now() + seconds * 1000;
  let done = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request({ agent, host: target.hostname, port: target.port, path: target.pathname, headers }, (res) => {
        if (res.statusCode !== status) reject(new Error(`${url} answered ${res.statusCode ?? 0}, not ${status}`));
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < stopAt) {
        await one();
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  return done / elapsed;
}

async function measure(url: string, headers: Record<string, string>, status: number): Promise<number> {
  await closedLoop(url, headers, status, WARMUP_SECONDS);
  return closedLoop(url, headers, status, SECONDS);
}

const dataDir = mkdtempSync(join(tmpdir(), 'hush-bench-'));
const config = loadConfig({ HUSH_DATA_DIR: dataDir, HUSH_LOG_LEVEL: 'silent', HUSH_PORT: '0', HUSH_SECRET: 'bench-secret-bench-secret-bench-secret-00' });
const pgServer = process.env.BENCH_DATABASE_URL;
const freshDb = pgServer === undefined ? undefined : await freshPostgres(pgServer);
const database = freshDb === undefined ? await openMemoryDatabase() : await openDatabase({ databaseUrl: freshDb.url, dataDir, poolSize: 20 });
const hush = await createHush({ config, logger: silentLogger(), database });
const server = await hush.listen();

// A confirmed identity and a session for it, as a sign-in leaves them.
const now = new Date();
const identity = await hush.store.identities.create({ id: 'bench-identity', email: 'bench@example.com', passwordHash: null, verifiedAt: now, createdAt: now });
if (identity === null) throw new Error('could not create the bench identity');
const session = await hush.flows.sessions.create(hush.store.sessions, identity.id, { ip: '127.0.0.1', userAgent: 'bench' });
const cookie = { cookie: `hush_session=${session.token}` };

const bare = new Hono();
bare.get('/bare', (c) => c.body(null, 200));
const bareServer = await listen(bare, { host: '127.0.0.1', port: 0 });

const ceiling = await measure(`${bareServer.url}/bare`, {}, 200);
const live = await measure(`${server.url}/v1/forward-auth`, cookie, 200);
const none = await measure(`${server.url}/v1/forward-auth`, {}, 401);

await bareServer.close();
await server.close();
await hush.close();
await freshDb?.drop();
rmSync(dataDir, { recursive: true, force: true });

console.log(`store: ${freshDb === undefined ? 'PGlite (embedded)' : 'PostgreSQL'}; ${CONCURRENCY} in flight, ${SECONDS} s each after ${WARMUP_SECONDS} s of warm-up`);
console.log(`bare Hono empty 200     ${ceiling.toFixed(0)} req/s`);
console.log(`forward-auth, session   ${live.toFixed(0)} req/s`);
console.log(`forward-auth, none      ${none.toFixed(0)} req/s`);
console.log(`forward-auth: ${live.toFixed(0)} req/s with a session (baseline bare HTTP ${ceiling.toFixed(0)} req/s; ratio ${(live / ceiling).toFixed(2)}; no session ${none.toFixed(0)} req/s)`);
