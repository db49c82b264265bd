/**
 * `npm run bench -- console`: how long the security console's overview takes
 * to render with 1,000,000 events in PostgreSQL (target: under 300 ms).
 *
 *     createdb -h 127.0.0.1 -U postgres hush_console_bench
 *     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hush_console_bench npm run bench -- console
 *
 * The database is seeded once (in SQL, with generate_series: a month of
 * ordinary traffic from 50,000 addresses, a reset campaign from one /24 in
 * the last day, a credential-stuffing burst, and 300 signals) and kept, so a
 * second run measures at once. Each figure is the median of 15 renders
 * through the app (in-process, as a signed-in operator), after 3 unmeasured
 * ones. The baseline, measured in the same run, is one sequential
 * `count(*)` over the whole events table: what the overview would cost if it
 * read every row, on this machine, now.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createHush } from '../src/hush.js';
import { loadConfig } from '../src/kernel/config.js';
import { silentLogger } from '../src/kernel/log.js';
import { openDatabase } from '../src/store/database.js';
import { ConsoleAccessStore } from '../src/store/console-access.js';

const TARGET = 1_000_000;
const RUNS = 15;
const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (url === undefined || url === '') {
  process.stderr.write('set BENCH_DATABASE_URL to a PostgreSQL database to seed and keep (see the head of bench/console.ts)\n');
  process.exit(2);
}
const dataDir = mkdtempSync(join(tmpdir(), 'hush-bench-console-'));
const config = loadConfig({ HUSH_DATA_DIR: dataDir, HUSH_LOG_LEVEL: 'silent', HUSH_ORIGIN: 'https://console.example.test', HUSH_SECRET: 'bench-secret-bench-secret-bench-secret-00' });
const database = await openDatabase({ databaseUrl: url, dataDir, poolSize: 8 });
const hush = await createHush({ config, logger: silentLogger(), database, worker: false });
const db = hush.database.db;

async function seed(): Promise<void> {
  const started = performance.now();
  await sql`TRUNCATE events, signals`.execute(db);
  // A month of ordinary traffic: sign-ins (a fifth failing), sign-ups, resets, magic links, verifications.
  await sql`
    INSERT INTO events (name, at, login, "exists", ip, user_agent, source, attrs)
    SELECT (ARRAY['users.login.success','users.login.success','users.login.success','users.login.success','users.login.failure',
                  'users.signup','users.password_reset','users.magic_link','users.verify','users.logout'])[1 + (g % 10)],
           now() - (random() * interval '30 days'),
           'user' || (hashint4(g) & 65535) || '@example.com',
           (g % 7) <> 0,
           ((hashint4(g * 7) & 127) + 1) || '.' || (hashint4(g * 11) & 255) || '.' || (hashint4(g * 13) & 255) || '.' || (hashint4(g * 17) & 15),
           'Mozilla/5.0', 'hush', '{}'::jsonb
    FROM generate_series(1, ${TARGET - 60_000}) AS g`.execute(db);
  // A reset campaign from one /24 in the last day, and a credential-stuffing burst in the last hour.
  await sql`
    INSERT INTO events (name, at, login, "exists", ip, user_agent, source, attrs)
    SELECT 'users.password_reset', now() - interval '20 hours' + (g * interval '1 second') / 4, 'victim' || g || '@example.com', (g % 3) = 0,
           '203.0.113.' || (g % 200), 'python-requests/2.31', 'hush', '{}'::jsonb
    FROM generate_series(1, 40000) AS g`.execute(db);
  await sql`
    INSERT INTO events (name, at, login, "exists", ip, user_agent, source, attrs)
    SELECT 'users.login.failure', now() - interval '50 minutes' + (g * interval '1 second') / 10, 'user' || (g % 9000) || '@example.com', true,
           '198.51.100.' || (g % 50), 'curl/8.5', 'hush', '{}'::jsonb
    FROM generate_series(1, 20000) AS g`.execute(db);
  await sql`
    INSERT INTO signals (id, rule_id, rule_name, severity, severity_rank, grp, case_name, first_seen, last_seen, expires_at, hits, evidence, updated_at)
    SELECT 'bench' || g, 'password-reset-enumeration', 'User enumeration through password reset', 'medium', 2,
           jsonb_build_object('network.client.ip', '203.0.113.' || (g % 200)), 'existing accounts',
           now() - (g * interval '2 hours'), now() - (g * interval '2 hours') + interval '10 minutes', now() - (g * interval '2 hours') + interval '70 minutes', 3,
           '{"counts":{},"values":[],"events":[]}'::jsonb, now()
    FROM generate_series(1, 300) AS g`.execute(db);
  await sql`VACUUM ANALYZE events`.execute(db);
  await sql`VACUUM ANALYZE signals`.execute(db);
  process.stdout.write(`seeded ${TARGET.toLocaleString('en')} events in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function timed(work: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await work();
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await work();
    out.push(performance.now() - t0);
  }
  return out;
}

try {
  const count = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(db)).rows[0]?.n ?? 0);
  if (count < TARGET) await seed();
  else process.stdout.write(`using the ${count.toLocaleString('en')} events already seeded\n`);
  // What autovacuum does on a live database within a minute of the migration's backfill.
  await sql`VACUUM ANALYZE event_counts`.execute(db);

  // An operator with a fresh session.
  const now = new Date();
  const email = 'bench-operator@example.com';
  const identity = (await hush.store.identities.findByEmail(email)) ?? (await hush.store.identities.create({ id: 'bench-operator', email, passwordHash: null, verifiedAt: now, createdAt: now }));
  if (identity === null) throw new Error('could not create the operator');
  await new ConsoleAccessStore(db).grant(identity.id, now);
  const { token } = await hush.flows.sessions.create(hush.store.sessions, identity.id, { ip: null, userAgent: null });
  const cookie = `__Host-hush_session=${token}`;
  const render = async (path: string): Promise<void> => {
    const res = await hush.app.request(path, { headers: { cookie } }, { incoming: { socket: { remoteAddress: '127.0.0.1', encrypted: true } } });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    await res.text();
  };

  const baseline = median(await timed(() => sql`SELECT count(*) FROM events`.execute(db)));
  const figures: Record<string, number> = {};
  for (const range of ['hour', 'day', 'week']) {
    figures[range] = median(await timed(() => render(`/console?range=${range}`)));
    process.stdout.write(`overview, last ${range}: median ${figures[range]?.toFixed(1)} ms of ${RUNS}\n`);
  }
  const signals = median(await timed(() => render('/console/signals')));
  const events = median(await timed(() => render('/console/events?network=203.0.113.0%2F24')));
  process.stdout.write(`signals list: ${signals.toFixed(1)} ms; event search by network: ${events.toFixed(1)} ms\n`);
  process.stdout.write(`baseline, count(*) over all events: ${baseline.toFixed(1)} ms\n`);
  const day = figures.day ?? Number.NaN;
  const week = figures.week ?? Number.NaN;
  process.stdout.write(`console: ${day.toFixed(1)} ms overview (day), ${week.toFixed(1)} ms (week) (baseline ${baseline.toFixed(1)} ms full count; ratio ${(day / baseline).toFixed(3)}, week ${(week / baseline).toFixed(3)})\n`);
} finally {
  await hush.close();
  rmSync(dataDir, { recursive: true, force: true });
}
