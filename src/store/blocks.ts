import type { Kysely } from 'kysely';
import type { BlockRecord, BlockStore } from '../guard/stores.js';
import type { Database } from './schema.js';

/**
 * The block list's table (implements guard's BlockStore): addresses and CIDR ranges with an expiry, added by
 * the CLI, the admin API and detection responses. Guards read it through an
 * in-memory cache; this is the shared, durable copy.
 */
export type { BlockRecord, BlockStore } from '../guard/stores.js';

export class SqlBlockStore implements BlockStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async add(block: BlockRecord): Promise<void> {
    await this.#db
      .insertInto('blocks')
      .values({ id: block.id, cidr: block.cidr, reason: block.reason, source: block.source, created_at: new Date(block.createdAt), expires_at: new Date(block.expiresAt) })
      .execute();
  }

  async active(now: number): Promise<BlockRecord[]> {
    const rows = await this.#db.selectFrom('blocks').selectAll().where('expires_at', '>', new Date(now)).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, cidr: r.cidr, reason: r.reason, source: r.source, createdAt: new Date(r.created_at).getTime(), expiresAt: new Date(r.expires_at).getTime() }));
  }

  async remove(id: string): Promise<boolean> {
    const res = await this.#db.deleteFrom('blocks').where('id', '=', id).executeTakeFirst();
    return res.numDeletedRows > 0n;
  }

  async purgeExpired(now: number): Promise<number> {
    const res = await this.#db.deleteFrom('blocks').where('expires_at', '<=', new Date(now)).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}

/** Without a database (library use, tests): the same contract, in this process only. */
export class MemoryBlockStore implements BlockStore {
  readonly #rows = new Map<string, BlockRecord>();

  add(block: BlockRecord): Promise<void> {
    if (this.#rows.has(block.id)) return Promise.reject(new Error(`block ${block.id} exists`));
    this.#rows.set(block.id, { ...block });
    return Promise.resolve();
  }

  active(now: number): Promise<BlockRecord[]> {
    const rows = [...this.#rows.values()].filter((b) => b.expiresAt > now).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    return Promise.resolve(rows.map((b) => ({ ...b })));
  }

  remove(id: string): Promise<boolean> {
    return Promise.resolve(this.#rows.delete(id));
  }

  purgeExpired(now: number): Promise<number> {
    let n = 0;
    for (const [id, b] of this.#rows) {
      if (b.expiresAt <= now) {
        this.#rows.delete(id);
        n++;
      }
    }
    return Promise.resolve(n);
  }
}
