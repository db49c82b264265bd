import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface SignalFilter {
  /** Exactly this severity. */
  severity?: string;
  ruleId?: string;
  /** `open`: still alive at `now` (expires later); `closed`: expired. */
  state?: 'open' | 'closed';
  /** Seen (last) at or after. */
  since?: number;
  /** First seen before. */
  until?: number;
  now: number;
  /** Page number from 0, `limit` a page. */
  page?: number;
  limit?: number;
}

export interface SignalListRow {
  id: string;
  ruleId: string;
  ruleName: string;
  severity: string;
  caseName: string;
  group: Record<string, string>;
  firstSeen: number;
  lastSeen: number;
  expiresAt: number;
  hits: number;
}

/** The console's signal list: the filters the API has, plus state and a time range, newest first. */
export class ConsoleSignalStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async list(f: SignalFilter): Promise<{ signals: SignalListRow[]; more: boolean }> {
    const limit = Math.min(200, Math.max(1, f.limit ?? 50));
    let q = this.#db.selectFrom('signals').select(['id', 'rule_id', 'rule_name', 'severity', 'case_name', 'grp', 'first_seen', 'last_seen', 'expires_at', 'hits']);
    if (f.severity !== undefined) q = q.where('severity', '=', f.severity);
    if (f.ruleId !== undefined) q = q.where('rule_id', '=', f.ruleId);
    if (f.state === 'open') q = q.where('expires_at', '>', new Date(f.now));
    if (f.state === 'closed') q = q.where('expires_at', '<=', new Date(f.now));
    if (f.since !== undefined) q = q.where('last_seen', '>=', new Date(f.since));
    if (f.until !== undefined) q = q.where('first_seen', '<', new Date(f.until));
    const rows = await q
      .orderBy('last_seen', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .offset((f.page ?? 0) * limit)
      .execute();
    return {
      more: rows.length > limit,
      signals: rows.slice(0, limit).map((r) => ({
        id: r.id,
        ruleId: r.rule_id,
        ruleName: r.rule_name,
        severity: r.severity,
        caseName: r.case_name,
        group: (typeof r.grp === 'string' ? JSON.parse(r.grp) : r.grp) as Record<string, string>,
        firstSeen: new Date(r.first_seen).getTime(),
        lastSeen: new Date(r.last_seen).getTime(),
        expiresAt: new Date(r.expires_at).getTime(),
        hits: r.hits,
      })),
    };
  }

  /** The rule ids that have signals, for the filter's choices. */
  async ruleIds(): Promise<string[]> {
    const rows = await this.#db.selectFrom('signals').select('rule_id').distinct().orderBy('rule_id').execute();
    return rows.map((r) => r.rule_id);
  }
}
