import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PGlitePool, STATEMENT_CACHE_SIZE, toText } from '../../src/store/pglite-pool.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw SQL tables of this test only
type Any = any;

describe('PGlitePool: one protocol message per query, repeated statements prepared', () => {
  let pg: PGlite;
  let pool: PGlitePool;
  let db: Kysely<Any>;
  const prepared = async (): Promise<number> => Number((await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows[0]!.n);

  beforeEach(async () => {
    pg = await PGlite.create({ parsers: { 20: (v: string) => v } });
    pool = new PGlitePool(pg);
    db = new Kysely<Any>({ dialect: new PostgresDialect({ pool }) });
    await sql`CREATE TABLE t (id text PRIMARY KEY, at timestamptz, ok boolean, n bigint, bytes bytea, doc jsonb, tags text[], note text)`.execute(db);
  });
  afterEach(async () => {
    await db.destroy();
    await pg.close();
  });

  it('sends every kind of value the way node-postgres does, and reads it back', async () => {
    const at = new Date('2026-11-30T21:00:00.123Z');
    const bytes = new Uint8Array([0, 1, 254, 255]);
    await db.insertInto('t').values({ id: 'a', at, ok: true, n: 9007199254740993n, bytes, doc: { k: [1, 'two'], big: 5n }, tags: ['x', 'y "quoted"', 'back\\slash', null], note: null }).execute();
    const row = await db.selectFrom('t').selectAll().where('id', '=', 'a').executeTakeFirstOrThrow();
    expect(row.at).toEqual(at);
    expect(row.ok).toBe(true);
    expect(row.n).toBe('9007199254740993');
    expect([...(row.bytes as Uint8Array)]).toEqual([0, 1, 254, 255]);
    expect(row.doc).toEqual({ k: [1, 'two'], big: '5' });
    expect(row.tags).toEqual(['x', 'y "quoted"', 'back\\slash', null]);
    expect(row.note).toBeNull();
    expect(toText(false)).toBe('f');
    expect(toText(-Infinity)).toBe('-infinity');
    expect(toText(undefined)).toBeNull();
  });

  it('prepares a repeated statement once and reports affected rows', async () => {
    for (let i = 0; i < 5; i++) await db.insertInto('t').values({ id: `r${i}` }).execute();
    for (let i = 0; i < 5; i++) expect(await db.selectFrom('t').select('id').where('id', '=', `r${i}`).executeTakeFirst()).toEqual({ id: `r${i}` });
    // The insert and the select; CREATE TABLE ran unnamed.
    expect(pool.prepared).toBe(2);
    expect(await prepared()).toBe(2);
    const res = await db.updateTable('t').set({ note: 'x' }).where('id', 'like', 'r%').executeTakeFirst();
    expect(res.numUpdatedRows).toBe(5n);
  });

  it(`keeps at most ${STATEMENT_CACHE_SIZE} statements prepared, closing the least recently used`, async () => {
    for (let i = 0; i < STATEMENT_CACHE_SIZE + 40; i++) await sql.raw(`SELECT ${i} AS n`).execute(db);
    expect(pool.prepared).toBe(STATEMENT_CACHE_SIZE);
    expect(await prepared()).toBe(STATEMENT_CACHE_SIZE);
    // The newest are still prepared and still answer.
    expect((await sql.raw<{ n: number }>(`SELECT ${STATEMENT_CACHE_SIZE + 39} AS n`).execute(db)).rows).toEqual([{ n: STATEMENT_CACHE_SIZE + 39 }]);
  });

  it('a failing statement throws the database error and leaves the pool working', async () => {
    const insert = (id: string) => db.insertInto('t').values({ id }).execute();
    await insert('dup');
    await expect(insert('dup')).rejects.toMatchObject({ code: '23505' });
    await insert('other'); // the prepared insert survived its failure
    await expect(sql.raw('SELEC nothing').execute(db)).rejects.toMatchObject({ code: '42601' });
    await expect(sql.raw('SELECT nope FROM t').execute(db)).rejects.toMatchObject({ code: '42703' });
    // A statement that never parsed is not kept as prepared.
    expect(pool.prepared).toBe(1);
    expect(await db.selectFrom('t').select('id').orderBy('id').execute()).toEqual([{ id: 'dup' }, { id: 'other' }]);
  });

  it('a failure inside a transaction rolls it back, and the next transaction commits', async () => {
    await expect(
      db.transaction().execute(async (tx) => {
        await tx.insertInto('t').values({ id: 'in-tx' }).execute();
        await tx.insertInto('t').values({ id: 'in-tx' }).execute();
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await db.selectFrom('t').select('id').execute()).toEqual([]);
    await db.transaction().execute((tx) => tx.insertInto('t').values({ id: 'after' }).execute());
    expect(await db.selectFrom('t').select('id').execute()).toEqual([{ id: 'after' }]);
  });

  it('a schema change drops the prepared statements, so SELECT * sees the new column', async () => {
    await db.insertInto('t').values({ id: 'a' }).execute();
    const all = () => db.selectFrom('t').selectAll().where('id', '=', 'a').executeTakeFirstOrThrow();
    expect(Object.keys(await all())).not.toContain('extra');
    await sql`ALTER TABLE t ADD COLUMN extra integer DEFAULT 7`.execute(db);
    expect(pool.prepared).toBe(0);
    expect(await all()).toMatchObject({ id: 'a', extra: 7 });
  });

  it('lets the event loop turn during a long queue of queries, so timers (the envelope floor) are not held back', async () => {
    await db.insertInto('t').values({ id: 'a' }).execute();
    let done = 0;
    let doneWhenTimerRan = -1;
    const started = performance.now();
    setTimeout(() => (doneWhenTimerRan = done), 0);
    // 300 queries queued at once: PGlite answers synchronously, so without slicing they would run as one chain of microtasks.
    await Promise.all(Array.from({ length: 300 }, () => db.selectFrom('t').select('id').where('id', '=', 'a').execute().then(() => done++)));
    const chain = performance.now() - started;
    expect(doneWhenTimerRan).toBeGreaterThanOrEqual(0);
    // The timer ran while the queue was still being worked through (it would run after all 300 if the loop never turned).
    expect(doneWhenTimerRan, `the queue took ${chain.toFixed(0)} ms`).toBeLessThan(300);
  });
});
