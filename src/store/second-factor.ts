import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { SecondFactorRepository, SecondStepRecord, TotpState } from '../core/second-factor.js';

type Db = Kysely<Database> | Transaction<Database>;

/** TOTP state, recovery codes, second steps and known devices over Kysely (PGlite or PostgreSQL). */
export class KyselySecondFactorRepository implements SecondFactorRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async totp(identityId: string): Promise<TotpState> {
    const row = await this.#db
      .selectFrom('identities')
      .select(['totp_secret', 'totp_pending_secret', 'totp_last_step'])
      .where('id', '=', identityId)
      .executeTakeFirst();
    return {
      secret: row?.totp_secret ?? null,
      pending: row?.totp_pending_secret ?? null,
      lastStep: row?.totp_last_step == null ? null : Number(row.totp_last_step),
    };
  }

  async setPending(identityId: string, sealed: string | null, at: Date): Promise<void> {
    await this.#db.updateTable('identities').set({ totp_pending_secret: sealed, updated_at: at }).where('id', '=', identityId).execute();
  }

  async enable(identityId: string, sealed: string, step: number, at: Date): Promise<boolean> {
    const r = await this.#db
      .updateTable('identities')
      .set({ totp_secret: sealed, totp_pending_secret: null, totp_last_step: step, totp_enabled_at: at, updated_at: at })
      .where('id', '=', identityId)
      .where('totp_pending_secret', '=', sealed)
      .where('totp_secret', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async disable(identityId: string, at: Date): Promise<void> {
    await this.#db
      .updateTable('identities')
      .set({ totp_secret: null, totp_pending_secret: null, totp_last_step: null, totp_enabled_at: null, updated_at: at })
      .where('id', '=', identityId)
      .execute();
    await this.#db.deleteFrom('recovery_codes').where('identity_id', '=', identityId).execute();
  }

  async spendTotpStep(identityId: string, step: number): Promise<boolean> {
    const r = await this.#db
      .updateTable('identities')
      .set({ totp_last_step: step })
      .where('id', '=', identityId)
      .where('totp_secret', 'is not', null)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async replaceRecoveryCodes(identityId: string, hashes: readonly string[], at: Date): Promise<void> {
    await this.#db.deleteFrom('recovery_codes').where('identity_id', '=', identityId).execute();
    if (hashes.length === 0) return;
    await this.#db
      .insertInto('recovery_codes')
      .values(hashes.map((hash) => ({ identity_id: identityId, hash, created_at: at })))
      .execute();
  }

  async spendRecoveryCode(identityId: string, hash: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('recovery_codes').where('identity_id', '=', identityId).where('hash', '=', hash).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async countRecoveryCodes(identityId: string): Promise<number> {
    const row = await this.#db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('identity_id', '=', identityId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async failures(identityId: string, since: Date): Promise<number> {
    const row = await this.#db
      .selectFrom('identities')
      .select(['second_factor_failures', 'second_factor_failed_at'])
      .where('id', '=', identityId)
      .executeTakeFirst();
    if (row?.second_factor_failed_at == null || row.second_factor_failed_at <= since) return 0;
    return row.second_factor_failures;
  }

  async recordFailure(identityId: string, at: Date, windowStart: Date): Promise<void> {
    await this.#db
      .updateTable('identities')
      .set({
        second_factor_failures: sql<number>`CASE WHEN second_factor_failed_at > ${windowStart} THEN second_factor_failures + 1 ELSE 1 END`,
        second_factor_failed_at: at,
      })
      .where('id', '=', identityId)
      .execute();
  }

  async clearFailures(identityId: string): Promise<void> {
    await this.#db.updateTable('identities').set({ second_factor_failures: 0, second_factor_failed_at: null }).where('id', '=', identityId).execute();
  }

  async insertStep(step: SecondStepRecord): Promise<void> {
    await this.#db
      .insertInto('second_steps')
      .values({ hash: step.hash, identity_id: step.identityId, created_at: step.createdAt, expires_at: step.expiresAt })
      .execute();
  }

  async findStep(hash: string, now: Date): Promise<SecondStepRecord | null> {
    const row = await this.#db.selectFrom('second_steps').selectAll().where('hash', '=', hash).where('expires_at', '>', now).executeTakeFirst();
    return row === undefined ? null : { hash: row.hash, identityId: row.identity_id, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  async spendSecondStep(hash: string, now: Date): Promise<SecondStepRecord | null> {
    const row = await this.#db.deleteFrom('second_steps').where('hash', '=', hash).where('expires_at', '>', now).returningAll().executeTakeFirst();
    return row === undefined ? null : { hash: row.hash, identityId: row.identity_id, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  async pruneSteps(now: Date): Promise<number> {
    const r = await this.#db.deleteFrom('second_steps').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async rememberDevice(identityId: string, device: string, at: Date): Promise<'first' | 'new' | 'known'> {
    const row = await this.#db
      .insertInto('known_devices')
      .values({ identity_id: identityId, device, first_seen: at })
      .onConflict((oc) => oc.columns(['identity_id', 'device']).doNothing())
      .returning('device')
      .executeTakeFirst();
    if (row === undefined) return 'known';
    const n = await this.#db
      .selectFrom('known_devices')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('identity_id', '=', identityId)
      .executeTakeFirstOrThrow();
    return Number(n.n) === 1 ? 'first' : 'new';
  }

  async takeNotice(identityId: string, at: Date, windowStart: Date, max: number): Promise<boolean> {
    const row = await this.#db
      .updateTable('identities')
      .set({
        notices_sent: sql<number>`CASE WHEN notices_window_at > ${windowStart} THEN notices_sent + 1 ELSE 1 END`,
        notices_window_at: sql<Date>`CASE WHEN notices_window_at > ${windowStart} THEN notices_window_at ELSE ${at} END`,
      })
      .where('id', '=', identityId)
      .where((eb) => eb.or([eb('notices_window_at', 'is', null), eb('notices_window_at', '<=', windowStart), eb('notices_sent', '<', max)]))
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }
}
