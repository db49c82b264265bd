import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Severity } from '../detect/rule-schema.js';
import type { Signal, SignalChange, SignalEvidence } from '../detect/signal.js';
import type { SignalPage, SignalQuery, SignalStore } from '../detect/stores.js';
import type { Database } from './schema.js';

export type { SignalPage, SignalQuery } from '../detect/stores.js';

/**
 * The severities in rising order, as detection defines them (detect/rule-schema
 * SEVERITIES): a signal's rank is its place in this list. Handed in by the
 * composition root, so that the store holds detection's interfaces only.
 */
export type SeverityOrder = readonly Severity[];

function ranker(order: SeverityOrder): (s: Severity) => number {
  return (s) => order.indexOf(s);
}

/**
 * The signals table. Several instances may report the same signal (one per
 * rule and group, shared through Redis): the upsert keeps the highest
 * severity, the latest sighting and the larger hit count, so the stored
 * signal never loses what any instance saw.
 */
export class SqlSignalStore implements SignalStore {
  readonly #db: Kysely<Database>;
  readonly #order: SeverityOrder;
  readonly #rank: (s: Severity) => number;

  constructor(db: Kysely<Database>, severities: SeverityOrder) {
    this.#db = db;
    this.#order = severities;
    this.#rank = ranker(severities);
  }

  async save(change: SignalChange): Promise<void> {
    const s = change.signal;
    const rank = this.#rank(s.severity);
    await this.#db
      .insertInto('signals')
      .values({
        id: s.id,
        rule_id: s.ruleId,
        rule_name: s.ruleName,
        severity: s.severity,
        severity_rank: rank,
        grp: JSON.stringify(s.group),
        case_name: s.case,
        first_seen: new Date(s.firstSeen),
        last_seen: new Date(s.lastSeen),
        expires_at: new Date(s.expiresAt),
        hits: s.hits,
        evidence: JSON.stringify(s.evidence),
        updated_at: new Date(s.lastSeen),
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          severity: sql`CASE WHEN excluded.severity_rank > signals.severity_rank THEN excluded.severity ELSE signals.severity END`,
          case_name: sql`CASE WHEN excluded.severity_rank >= signals.severity_rank THEN excluded.case_name ELSE signals.case_name END`,
          severity_rank: sql`GREATEST(signals.severity_rank, excluded.severity_rank)`,
          last_seen: sql`GREATEST(signals.last_seen, excluded.last_seen)`,
          expires_at: sql`GREATEST(signals.expires_at, excluded.expires_at)`,
          hits: sql`GREATEST(signals.hits, excluded.hits)`,
          evidence: sql`CASE WHEN excluded.last_seen >= signals.last_seen THEN excluded.evidence ELSE signals.evidence END`,
          updated_at: sql`GREATEST(signals.updated_at, excluded.updated_at)`,
        }),
      )
      .execute();
  }

  async get(id: string): Promise<Signal | undefined> {
    const row = await this.#db.selectFrom('signals').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSignal(row, this.#order) : undefined;
  }

  /** Newest first (by last sighting), paged by an opaque cursor. */
  async list(query: SignalQuery = {}): Promise<SignalPage> {
    const limit = Math.min(500, Math.max(1, query.limit ?? 50));
    let q = this.#db.selectFrom('signals').selectAll();
    if (query.since !== undefined) q = q.where('last_seen', '>=', new Date(query.since));
    if (query.minSeverity !== undefined) q = q.where('severity_rank', '>=', this.#rank(query.minSeverity));
    if (query.ruleId !== undefined) q = q.where('rule_id', '=', query.ruleId);
    const after = query.cursor === undefined ? undefined : parseCursor(query.cursor);
    if (after) q = q.where((eb) => eb.or([eb('last_seen', '<', new Date(after.at)), eb.and([eb('last_seen', '=', new Date(after.at)), eb('id', '<', after.id)])]));
    const rows = await q.orderBy('last_seen', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit).map((r) => toSignal(r, this.#order));
    const last = page.at(-1);
    return rows.length > limit && last ? { signals: page, next: Buffer.from(`${last.lastSeen}:${last.id}`).toString('base64url') } : { signals: page };
  }
}

/** Reads a cursor; undefined when it is not one of ours (the caller treats that as a bad request). */
export function parseCursor(cursor: string): { at: number; id: string } | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,15}):([A-Za-z0-9_-]{1,64})$/.exec(text);
  return m ? { at: Number(m[1]), id: m[2] ?? '' } : undefined;
}

type Row = {
  id: string;
  rule_id: string;
  rule_name: string;
  severity: string;
  grp: unknown;
  case_name: string;
  first_seen: Date;
  last_seen: Date;
  expires_at: Date;
  hits: number;
  evidence: unknown;
};

function toSignal(r: Row, order: SeverityOrder): Signal {
  const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
  return {
    id: r.id,
    ruleId: r.rule_id,
    ruleName: r.rule_name,
    severity: (order as readonly string[]).includes(r.severity) ? (r.severity as Severity) : 'info',
    group: json<Record<string, string>>(r.grp),
    case: r.case_name,
    firstSeen: new Date(r.first_seen).getTime(),
    lastSeen: new Date(r.last_seen).getTime(),
    expiresAt: new Date(r.expires_at).getTime(),
    hits: r.hits,
    evidence: json<SignalEvidence>(r.evidence),
  };
}
