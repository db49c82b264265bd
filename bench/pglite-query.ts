/**
 * `npm run bench -- pglite-query`: CPU per statement on the embedded store,
 * through Kysely as hush runs it: hush's PGlitePool (one protocol message per
 * query, repeated statements prepared) against a pool over PGlite's own
 * `query` (a round trip per protocol step; hush's pool before), in the same
 * run on the same database: an indexed select, an insert, and BEGIN + COMMIT.
 * The last line is the ratio of the select's CPU.
 */
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { PGlitePool } from '../src/store/pglite-pool.js';

const N = Number(process.env.BENCH_N ?? 3000);
const pg = await PGlite.create();
await pg.exec(`CREATE TABLE identities (id text PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL, meta jsonb)`);
/** The baseline: each query through PGlite's `query` (one holder at a time, like hush's pool). */
class QueryPool implements PostgresPool {
  #tail: Promise<void> = Promise.resolve();
  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const previous = this.#tail;
    this.#tail = previous.then(() => new Promise<void>((r) => (release = r)));
    await previous;
    return {
      query: async (text: string, params: readonly unknown[]) => {
        const r = await pg.query(text, [...params]);
        return { command: 'SELECT', rowCount: r.affectedRows ?? r.rows.length, rows: r.rows };
      },
      release: () => release(),
    } as unknown as PostgresPoolClient;
  }
  async end(): Promise<void> {}
}
type Schema = { identities: { id: string; email: string; created_at: Date; meta: unknown } };
const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: new PGlitePool(pg) }) });
const base = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: new QueryPool() }) });
for (let i = 0; i < 1000; i++) await pg.query('INSERT INTO identities VALUES ($1, $2, $3, $4)', [`id${i}`, `u${i}@example.com`, new Date(), { i }]);

async function cpu(fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 300; i++) await fn(i);
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await fn(i);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / N;
}

let seq = 0;
const rows: [string, number, number][] = [];
const select = (k: Kysely<Schema>) => (i: number) => k.selectFrom('identities').selectAll().where('email', '=', `u${i % 1000}@example.com`).executeTakeFirst();
const insert = (k: Kysely<Schema>) => () => k.insertInto('identities').values({ id: `a${++seq}`, email: `a${seq}@example.com`, created_at: new Date(), meta: JSON.stringify({ seq }) }).execute();
const transaction = (k: Kysely<Schema>) => () => k.transaction().execute(() => Promise.resolve());
rows.push(['select by email', await cpu(select(base)), await cpu(select(db))]);
rows.push(['insert', await cpu(insert(base)), await cpu(insert(db))]);
rows.push(['BEGIN + COMMIT', await cpu(transaction(base)), await cpu(transaction(db))]);
for (const [name, own, ours] of rows) console.log(`${name.padEnd(16)} over PGlite's query ${own.toFixed(0).padStart(5)} µs CPU, hush's pool ${ours.toFixed(0).padStart(5)} µs CPU`);
await db.destroy();
await base.destroy();
await pg.close();
console.log(`pglite-query: select ${(rows[0]![2] / rows[0]![1]).toFixed(2)} of the CPU over PGlite's query (baseline ${rows[0]![1].toFixed(0)} µs)`);
