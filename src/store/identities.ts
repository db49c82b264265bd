import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, IdentitiesTable } from './schema.js';
import type { Identity, IdentityRepository, NewIdentity } from '../core/identity.js';

type Db = Kysely<Database> | Transaction<Database>;

function toIdentity(row: Selectable<IdentitiesTable>): Identity {
  return { id: row.id, email: row.email, passwordHash: row.password_hash, verifiedAt: row.verified_at, createdAt: row.created_at, totpEnabled: row.totp_secret !== null };
}

export class KyselyIdentityRepository implements IdentityRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async findByEmail(email: string): Promise<Identity | null> {
    const row = await this.#db.selectFrom('identities').selectAll().where('email', '=', email).executeTakeFirst();
    return row === undefined ? null : toIdentity(row);
  }

  async findById(id: string): Promise<Identity | null> {
    const row = await this.#db.selectFrom('identities').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : toIdentity(row);
  }

  async create(identity: NewIdentity): Promise<Identity | null> {
    const row = await this.#db
      .insertInto('identities')
      .values({
        id: identity.id,
        email: identity.email,
        password_hash: identity.passwordHash,
        verified_at: identity.verifiedAt,
        totp_secret: null,
        created_at: identity.createdAt,
        updated_at: identity.createdAt,
      })
      .onConflict((oc) => oc.column('email').doNothing())
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? null : toIdentity(row);
  }

  async setPassword(id: string, passwordHash: string | null, at: Date): Promise<void> {
    await this.#db.updateTable('identities').set({ password_hash: passwordHash, updated_at: at }).where('id', '=', id).execute();
  }

  async markVerified(id: string, at: Date): Promise<void> {
    await this.#db
      .updateTable('identities')
      .set((eb) => ({ verified_at: eb.fn.coalesce('verified_at', eb.val(at)), updated_at: at }))
      .where('id', '=', id)
      .execute();
  }

  async list(options: { limit: number; offset: number }): Promise<Identity[]> {
    const rows = await this.#db.selectFrom('identities').selectAll().orderBy('created_at').orderBy('id').limit(options.limit).offset(options.offset).execute();
    return rows.map(toIdentity);
  }

  async count(): Promise<number> {
    const row = await this.#db.selectFrom('identities').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
