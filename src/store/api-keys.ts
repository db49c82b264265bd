import { createHash, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../kernel/clock.js';
import type { Random } from '../kernel/random.js';
import { toBase64Url } from '../kernel/random.js';
import type { Database } from './schema.js';

export const API_KEY_SCOPES = ['events', 'admin', 'session'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  createdAt: number;
  lastUsedAt: number | undefined;
  revokedAt: number | undefined;
}

/** `hush_<24 hex>_<43 base64url>`: the id finds the row, the secret is checked against its hash. */
const KEY_FORMAT = /^hush_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * API keys for other apps (scope `events`; `session` for the session check) and for operators (`admin`). The
 * key is shown once, at creation; only the SHA-256 of its secret part is
 * stored (the secret is 32 random bytes, so a fast hash is enough), and the
 * check compares digests in constant time. A revoked key stops working at once.
 */
export class SqlApiKeyStore {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #random: Random;

  constructor(options: { db: Kysely<Database>; clock: Clock; random: Random }) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#random = options.random;
  }

  /** Creates a key; the returned `key` is the only time it is ever visible. */
  async create(name: string, scopes: readonly ApiKeyScope[]): Promise<{ record: ApiKeyRecord; key: string }> {
    const id = Buffer.from(this.#random.bytes(12)).toString('hex');
    const secret = toBase64Url(this.#random.bytes(32));
    const now = this.#clock.now();
    const unique = [...new Set(scopes)].sort();
    await this.#db
      .insertInto('api_keys')
      .values({ id, name, hash: sha256(secret).toString('hex'), scopes: unique.join(','), created_at: new Date(now), last_used_at: null, revoked_at: null })
      .execute();
    return { record: { id, name, scopes: unique, createdAt: now, lastUsedAt: undefined, revokedAt: undefined }, key: `hush_${id}_${secret}` };
  }

  /** The live key's record when `key` is one, with the scope; undefined otherwise (unknown, revoked, malformed). */
  async verify(key: string): Promise<ApiKeyRecord | undefined> {
    const m = KEY_FORMAT.exec(key);
    if (!m) return undefined;
    const row = await this.#db.selectFrom('api_keys').selectAll().where('id', '=', m[1] ?? '').where('revoked_at', 'is', null).executeTakeFirst();
    // Hash either way, so an unknown id costs the same as a wrong secret.
    const given = sha256(m[2] ?? '');
    const stored = row ? Buffer.from(row.hash, 'hex') : Buffer.alloc(32);
    if (!row || stored.length !== 32 || !timingSafeEqual(given, stored)) return undefined;
    const record = toRecord(row);
    const now = this.#clock.now();
    // One write a minute at most: a busy key must not turn every request into an update.
    if (record.lastUsedAt === undefined || now - record.lastUsedAt > 60_000) {
      await this.#db.updateTable('api_keys').set({ last_used_at: new Date(now) }).where('id', '=', record.id).execute();
    }
    return record;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.#db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
    return rows.map(toRecord);
  }

  /** Revokes the live key with this name; false when there is none. */
  async revoke(name: string): Promise<boolean> {
    const res = await this.#db.updateTable('api_keys').set({ revoked_at: new Date(this.#clock.now()) }).where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }
}

function toRecord(row: { id: string; name: string; scopes: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes.split(',').filter((s): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s)),
    createdAt: new Date(row.created_at).getTime(),
    lastUsedAt: row.last_used_at === null ? undefined : new Date(row.last_used_at).getTime(),
    revokedAt: row.revoked_at === null ? undefined : new Date(row.revoked_at).getTime(),
  };
}
