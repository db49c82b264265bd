import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { PowReplayStore, SharedPowReplayStore } from '../guard/stores.js';
import type { Database } from './schema.js';

/**
 * Single spend of proof-of-work solutions (guard's PowReplayStore): each
 * implementation spends in one atomic step (Redis `SET NX`, a primary-key
 * insert, a synchronous map update).
 */
export type { PowReplayStore } from '../guard/stores.js';

/** Shared across instances through Redis: `SET key 1 PXAT expiresAt NX`. */
export class RedisPowReplay implements SharedPowReplayStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'hush:pow:spent:') {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** True when the client can take commands now; callers fall back instead of queueing behind an outage. */
  get ready(): boolean {
    return this.#redis.status === 'ready';
  }

  async spend(id: string, expiresAt: number, now: number): Promise<boolean> {
    // At least one second, so that a challenge about to expire is still remembered past its expiry check.
    const ttl = Math.max(1000, expiresAt - now);
    const ok = await this.#redis.set(`${this.#prefix}${id}`, '1', 'PX', ttl, 'NX');
    return ok === 'OK';
  }
}

/** Shared through the database: the insert into `pow_spent` is the spend; a conflict means already spent. */
export class SqlPowReplay implements PowReplayStore {
  readonly #db: Kysely<Database>;
  #lastSweep = 0;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async spend(id: string, expiresAt: number, now: number): Promise<boolean> {
    const res = await this.#db
      .insertInto('pow_spent')
      .values({ id, expires_at: new Date(expiresAt) })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    // Expired rows can never be replayed (the challenge's own expiry refuses them): sweep them now and then.
    if (now - this.#lastSweep > 60_000) {
      this.#lastSweep = now;
      await this.sweep(now);
    }
    return (res.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  /** Deletes spent records whose challenge has expired. */
  async sweep(now: number): Promise<number> {
    const res = await sql`DELETE FROM pow_spent WHERE expires_at < ${new Date(now)}`.execute(this.#db);
    return Number(res.numAffectedRows ?? 0n);
  }
}

/** One process only (no Redis, no database): a map swept as it grows. */
export class MemoryPowReplay implements PowReplayStore {
  readonly #spent = new Map<string, number>();

  spend(id: string, expiresAt: number, now: number): Promise<boolean> {
    const until = this.#spent.get(id);
    if (until !== undefined && until > now) return Promise.resolve(false);
    this.#spent.set(id, expiresAt);
    if (this.#spent.size > 10_000) {
      for (const [k, v] of this.#spent) if (v <= now) this.#spent.delete(k);
    }
    return Promise.resolve(true);
  }
}
