import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool, Transaction } from 'kysely';
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

/** The identity's tokens and, given its address, those bound to the address before the identity existed. */
function ofIdentity(identityId: string, email: string | undefined): (eb: ExpressionBuilder<Database, 'tokens'>) => Expression<SqlBool> {
  return (eb) => (email === undefined ? eb('identity_id', '=', identityId) : eb.or([eb('identity_id', '=', identityId), eb('identifier', '=', email)]));
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
    const q = this.#db.deleteFrom('tokens').where('purpose', '=', purpose);
    const r = await ('identityId' in subject ? q.where(ofIdentity(subject.identityId, subject.email)) : q.where('identifier', '=', subject.identifier)).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async revokeAllFor(identityId: string, email?: string): Promise<number> {
    const r = await this.#db.deleteFrom('tokens').where(ofIdentity(identityId, email)).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async pruneExpired(now: Date): Promise<number> {
    const r = await this.#db.deleteFrom('tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
