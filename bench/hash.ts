/**
 * `npm run bench -- hash`: argon2id hashes per second at concurrency 1 and 2
 * (the physical ceiling for login on this machine), and token issue+consume
 * per second on PGlite and, when HUSH_TEST_DATABASE_URL (or DATABASE_URL) is
 * set, on PostgreSQL. Ratios are measured in the same run.
 */
import { PasswordHasher, OWASP_PARAMS } from '../src/core/password.js';
import { Tokens } from '../src/core/token.js';
import { openDatabase, openMemoryDatabase } from '../src/store/database.js';
import type { DatabaseHandle } from '../src/store/database.js';
import { migrate } from '../src/store/migrate.js';
import { KyselyAccountStore } from '../src/store/account-store.js';
import { systemClock } from '../src/kernel/clock.js';
import { cryptoRandom, randomId } from '../src/kernel/random.js';
import { freshPostgres } from '../test/helpers/postgres.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

async function rate(concurrency: number, op: () => Promise<unknown>): Promise<number> {
  const stopAt = performance.now() + SECONDS * 1000;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      await op();
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return done / ((performance.now() - start) / 1000);
}

const hasher = await PasswordHasher.create(OWASP_PARAMS);
await hasher.hash('warm up');
const h1 = await rate(1, () => hasher.hash('correct horse battery'));
const h2 = await rate(2, () => hasher.hash('correct horse battery'));
const v2 = await rate(2, () => hasher.verify(null, 'correct horse battery'));
console.log(`argon2id m=${OWASP_PARAMS.memoryCost} t=${OWASP_PARAMS.timeCost} p=${OWASP_PARAMS.parallelism}: ${h1.toFixed(0)} hashes/s at concurrency 1, ${h2.toFixed(0)}/s at 2 (dummy verify ${v2.toFixed(0)}/s at 2)`);

async function tokenRate(name: string, handle: DatabaseHandle): Promise<number> {
  await migrate(handle.db);
  const store = new KyselyAccountStore(handle.db, { clock: systemClock, random: cryptoRandom });
  const now = new Date();
  const id = randomId(cryptoRandom);
  await store.identities.create({ id, email: `${id}@bench.test`, passwordHash: null, verifiedAt: now, createdAt: now });
  const tokens = new Tokens({ clock: systemClock, random: cryptoRandom });
  const r = await rate(4, async () => {
    const t = await tokens.issue(store.tokens, 'recovery', { identityId: id }, 60_000);
    await tokens.consume(store.tokens, t, 'recovery');
  });
  console.log(`token issue+consume on ${name}: ${r.toFixed(0)}/s (concurrency 4)`);
  await handle.close();
  return r;
}

const pglite = await tokenRate('PGlite', await openMemoryDatabase());
const pgUrl = process.env.HUSH_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
let postgres: number | null = null;
if (pgUrl !== undefined) {
  const fresh = await freshPostgres(pgUrl);
  try {
    postgres = await tokenRate('PostgreSQL', await openDatabase({ databaseUrl: fresh.url, dataDir: '.' }));
  } finally {
    await fresh.drop();
  }
}
console.log(
  `hash: ${h2.toFixed(0)} hashes/s at concurrency 2 (baseline concurrency 1: ${h1.toFixed(0)}/s, ratio ${(h2 / h1).toFixed(2)}); tokens ${pglite.toFixed(0)}/s PGlite` +
    (postgres === null ? '' : `, ${postgres.toFixed(0)}/s PostgreSQL (ratio ${(postgres / pglite).toFixed(2)})`),
);
