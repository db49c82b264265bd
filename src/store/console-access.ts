import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** An operator as `hush operator list` prints it. */
export interface OperatorRecord {
  identityId: string;
  email: string;
  grantedAt: Date;
}

/** A rule switched on or off from the console, and who did it. */
export interface RuleSwitch {
  ruleId: string;
  enabled: boolean;
  changedAt: Date;
  changedBy: string;
}

/**
 * Who may enter the security console (the `operators` table: a role on
 * identities, granted and taken back from the CLI only) and the rule
 * switches operators set there.
 */
export class ConsoleAccessStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Grants the role; false when the identity already had it. */
  async grant(identityId: string, at: Date): Promise<boolean> {
    const res = await this.#db.insertInto('operators').values({ identity_id: identityId, granted_at: at }).onConflict((oc) => oc.column('identity_id').doNothing()).executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /** Takes the role back; false when the identity did not have it. */
  async revoke(identityId: string): Promise<boolean> {
    const res = await this.#db.deleteFrom('operators').where('identity_id', '=', identityId).executeTakeFirst();
    return res.numDeletedRows > 0n;
  }

  /** Null when the identity has no operator role; else when its TOTP was turned on (null: TOTP not in force). */
  async operatorFactor(identityId: string): Promise<{ totpEnabledAt: Date | null } | null> {
    const row = await this.#db
      .selectFrom('operators')
      .innerJoin('identities', 'identities.id', 'operators.identity_id')
      .select(['identities.totp_enabled_at', 'identities.totp_secret'])
      .where('operators.identity_id', '=', identityId)
      .executeTakeFirst();
    if (row === undefined) return null;
    // The secret and its date together: a pending secret (not yet confirmed) is not in force.
    return { totpEnabledAt: row.totp_secret === null || row.totp_enabled_at === null ? null : new Date(row.totp_enabled_at) };
  }

  async list(): Promise<OperatorRecord[]> {
    const rows = await this.#db
      .selectFrom('operators')
      .innerJoin('identities', 'identities.id', 'operators.identity_id')
      .select(['operators.identity_id', 'identities.email', 'operators.granted_at'])
      .orderBy('operators.granted_at')
      .orderBy('operators.identity_id')
      .execute();
    return rows.map((r) => ({ identityId: r.identity_id, email: r.email, grantedAt: new Date(r.granted_at) }));
  }

  async setRule(change: RuleSwitch): Promise<void> {
    await this.#db
      .insertInto('rule_switches')
      .values({ rule_id: change.ruleId, enabled: change.enabled, changed_at: change.changedAt, changed_by: change.changedBy })
      .onConflict((oc) => oc.column('rule_id').doUpdateSet({ enabled: change.enabled, changed_at: change.changedAt, changed_by: change.changedBy }))
      .execute();
  }

  async rules(): Promise<RuleSwitch[]> {
    const rows = await this.#db.selectFrom('rule_switches').selectAll().orderBy('rule_id').execute();
    return rows.map((r) => ({ ruleId: r.rule_id, enabled: r.enabled, changedAt: new Date(r.changed_at), changedBy: r.changed_by }));
  }
}
