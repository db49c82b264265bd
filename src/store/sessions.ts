import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { SessionRecord, SessionRepository } from '../core/session.js';
import type { Identity } from '../core/identity.js';

type Db = Kysely<Database> | Transaction<Database>;

export class KyselySessionRepository implements SessionRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async insert(s: SessionRecord): Promise<void> {
    await this.#db
      .insertInto('sessions')
      .values({
        hash: s.hash,
        identity_id: s.identityId,
        created_at: s.createdAt,
        last_seen_at: s.lastSeenAt,
        expires_at: s.expiresAt,
        absolute_expires_at: s.absoluteExpiresAt,
        ip: s.ip,
        user_agent: s.userAgent,
      })
      .execute();
  }

  async findAlive(hash: string, now: Date): Promise<{ session: SessionRecord; identity: Identity } | null> {
    const row = await this.#db
      .selectFrom('sessions as s')
      .innerJoin('identities as i', 'i.id', 's.identity_id')
      .select([
        's.hash', 's.identity_id', 's.created_at', 's.last_seen_at', 's.expires_at', 's.absolute_expires_at', 's.ip', 's.user_agent',
        'i.email', 'i.password_hash', 'i.verified_at', 'i.created_at as identity_created_at', 'i.totp_secret',
      ])
      .where('s.hash', '=', hash)
      .where('s.expires_at', '>', now)
      .where('s.absolute_expires_at', '>', now)
      .executeTakeFirst();
    if (row === undefined) return null;
    return {
      session: {
        hash: row.hash,
        identityId: row.identity_id,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: row.expires_at,
        absoluteExpiresAt: row.absolute_expires_at,
        ip: row.ip,
        userAgent: row.user_agent,
      },
      identity: { id: row.identity_id, email: row.email, passwordHash: row.password_hash, verifiedAt: row.verified_at, createdAt: row.identity_created_at, totpEnabled: row.totp_secret !== null },
    };
  }

  async touch(hash: string, lastSeenAt: Date, expiresAt: Date): Promise<void> {
    await this.#db.updateTable('sessions').set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where('hash', '=', hash).execute();
  }

  async delete(hash: string): Promise<void> {
    await this.#db.deleteFrom('sessions').where('hash', '=', hash).execute();
  }

  async deleteAllFor(identityId: string, exceptHash?: string): Promise<number> {
    let q = this.#db.deleteFrom('sessions').where('identity_id', '=', identityId);
    if (exceptHash !== undefined) q = q.where('hash', '!=', exceptHash);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async listFor(identityId: string, now: Date): Promise<SessionRecord[]> {
    const rows = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('identity_id', '=', identityId)
      .where('expires_at', '>', now)
      .where('absolute_expires_at', '>', now)
      .orderBy('last_seen_at', 'desc')
      .limit(100)
      .execute();
    return rows.map((row) => ({
      hash: row.hash,
      identityId: row.identity_id,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
      absoluteExpiresAt: row.absolute_expires_at,
      ip: row.ip,
      userAgent: row.user_agent,
    }));
  }

  async pruneExpired(now: Date): Promise<number> {
    const r = await this.#db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('absolute_expires_at', '<=', now)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
