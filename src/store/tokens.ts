import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, TokensTable } from './schema.js';
import type { TokenPurpose, TokenRecord, TokenRepository, TokenSubject } from '../core/token.js';

type Db = Kysely<Database> | Transaction<Database>;

function toRecord(row: Selectable<TokensTable>): TokenRecord {
  return {
    hash: row.hash,
    purpose: row.purpose as TokenPurpose,
    identityId: row.identity_id,
    identifier: row.identifier,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export class KyselyTokenRepository implements TokenRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async insert(record: TokenRecord): Promise<void> {
    await this.#db
      .insertInto('tokens')
      .values({
        hash: record.hash,
        purpose: record.purpose,
        identity_id: record.identityId,
        identifier: record.identifier,
        created_at: record.createdAt,
        expires_at: record.expiresAt,
      })
      .execute();
  }

  /** One statement checks and spends: of any number of concurrent callers, one gets the row. */
  async consume(hash: string, purpose: TokenPurpose, now: Date): Promise<TokenRecord | null> {
    const row = await this.#db
      .deleteFrom('tokens')
      .where('hash', '=', hash)
      .where('purpose', '=', purpose)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toRecord(row);
  }

  async revoke(purpose: TokenPurpose, subject: TokenSubject): Promise<number> {
    let q = this.#db.deleteFrom('tokens').where('purpose', '=', purpose);
    q = 'identityId' in subject ? q.where('identity_id', '=', subject.identityId) : q.where('identifier', '=', subject.identifier);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async revokeAllFor(identityId: string): Promise<number> {
    const r = await this.#db.deleteFrom('tokens').where('identity_id', '=', identityId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async pruneExpired(now: Date): Promise<number> {
    const r = await this.#db.deleteFrom('tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
