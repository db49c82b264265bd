import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** One flow's counts in equal buckets from `from`: `counts[i]` events in [from + i·bucket, from + (i+1)·bucket). */
export interface FlowSeries {
  event: string;
  counts: number[];
}

export interface TopRow {
  /** An address, or a network (`203.0.113.0/24`, `2001:db8::/64`). */
  key: string;
  events: number;
  /** For networks: how many addresses in it sent them. */
  addresses?: number;
}

export interface SignalMark {
  id: string;
  ruleId: string;
  ruleName: string;
  severity: string;
  firstSeen: number;
  lastSeen: number;
  group: Record<string, string>;
}

/** App-wide volume of one event in the spike rule's terms: the current window against its usual level. */
export interface VolumeVsUsual {
  event: string;
  windowMs: number;
  baselineMs: number;
  /** Events in the last window. */
  current: number;
  /** Events per window, on average, over the baseline before it (undefined while the history is shorter than the rule's learning time). */
  usual: number | undefined;
  /** What the spike rule needs to fire: more than max(min_events, factor × usual). */
  threshold: number | undefined;
  /** The last 24 windows' counts, oldest first, for a small chart; the first starts at `recentFrom`. */
  recent: number[];
  recentFrom: number;
}

/** The network an address belongs to, in SQL: its /24 (IPv4) or /64 (IPv6), as the block list and the limits count them. */
const NETWORK = sql<string>`CASE WHEN strpos(ip, ':') > 0 THEN host(network(set_masklen(ip::inet, 64))) || '/64' ELSE regexp_replace(ip, '\\.[0-9]+$', '.0') || '/24' END`;

/**
 * The console overview's queries over `events` and `signals`. Each is one
 * aggregate answered from the `(name, at) INCLUDE (ip)` index (migration 0005),
 * so their cost follows the rows in the range, not the table.
 */
export class ConsoleOverviewStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Per event name, counts in `buckets` buckets of `bucketMs` from `from`. */
  async series(names: readonly string[], from: number, bucketMs: number, buckets: number): Promise<FlowSeries[]> {
    const to = from + bucketMs * buckets;
    const rows = await sql<{ name: string; b: number; n: number }>`
      SELECT name, floor((extract(epoch FROM at) * 1000 - ${from}) / ${bucketMs})::int AS b, count(*)::int AS n
      FROM events
      WHERE name IN (${sql.join(names)}) AND at >= ${new Date(from)} AND at < ${new Date(to)}
      GROUP BY 1, 2`.execute(this.#db);
    const byName = new Map(names.map((n) => [n, new Array<number>(buckets).fill(0)]));
    for (const r of rows.rows) {
      const counts = byName.get(r.name);
      if (counts !== undefined && r.b >= 0 && r.b < buckets) counts[r.b] = Number(r.n);
    }
    return names.map((event) => ({ event, counts: byName.get(event) ?? [] }));
  }

  /** The addresses that sent the most `name` events in [from, to). */
  async topAddresses(name: string, from: number, to: number, limit = 8): Promise<TopRow[]> {
    const rows = await sql<{ key: string; n: number }>`
      SELECT ip AS key, count(*)::int AS n FROM events
      WHERE name = ${name} AND at >= ${new Date(from)} AND at < ${new Date(to)} AND ip IS NOT NULL
      GROUP BY ip ORDER BY n DESC, ip LIMIT ${limit}`.execute(this.#db);
    return rows.rows.map((r) => ({ key: r.key, events: Number(r.n) }));
  }

  /** The networks (/24, /64) that sent the most `name` events in [from, to), with how many addresses each used. */
  async topNetworks(name: string, from: number, to: number, limit = 8): Promise<TopRow[]> {
    const rows = await sql<{ key: string; n: number; a: number }>`
      SELECT net AS key, count(*)::int AS n, count(DISTINCT ip)::int AS a FROM (
        SELECT ${NETWORK} AS net, ip FROM events
        WHERE name = ${name} AND at >= ${new Date(from)} AND at < ${new Date(to)} AND ip IS NOT NULL
      ) t GROUP BY net ORDER BY n DESC, net LIMIT ${limit}`.execute(this.#db);
    return rows.rows.map((r) => ({ key: r.key, events: Number(r.n), addresses: Number(r.a) }));
  }

  /** Signals alive at some point in [from, to), oldest first (at most `limit`). */
  async signalsIn(from: number, to: number, limit = 200): Promise<SignalMark[]> {
    const rows = await this.#db
      .selectFrom('signals')
      .select(['id', 'rule_id', 'rule_name', 'severity', 'first_seen', 'last_seen', 'grp'])
      .where('last_seen', '>=', new Date(from))
      .where('first_seen', '<', new Date(to))
      .orderBy('first_seen')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      ruleId: r.rule_id,
      ruleName: r.rule_name,
      severity: r.severity,
      firstSeen: new Date(r.first_seen).getTime(),
      lastSeen: new Date(r.last_seen).getTime(),
      group: (typeof r.grp === 'string' ? JSON.parse(r.grp) : r.grp) as Record<string, string>,
    }));
  }

  /**
   * `name`'s volume in the last `windowMs` against its average per window over
   * the `baselineMs` before it: the anomaly rule's question, asked of the
   * stored events (the engine's own baseline is a moving average of the same).
   */
  async volumeVsUsual(name: string, now: number, rule: { windowMs: number; baselineMs: number; factor: number; minEvents: number; learningMs: number }): Promise<VolumeVsUsual> {
    const { windowMs, baselineMs } = rule;
    const start = now - windowMs;
    const windows = 24;
    const [series, history] = await Promise.all([
      this.series([name], now - windowMs * windows, windowMs, windows),
      sql<{ n: number; first: Date | null }>`
        SELECT count(*)::int AS n, min(at) AS first FROM events
        WHERE name = ${name} AND at >= ${new Date(start - baselineMs)} AND at < ${new Date(start)}`.execute(this.#db),
    ]);
    const recent = series[0]?.counts ?? [];
    const row = history.rows[0];
    const first = row?.first === null || row?.first === undefined ? undefined : new Date(row.first).getTime();
    const learned = first === undefined ? 0 : start - first;
    const usual = learned < rule.learningMs ? undefined : Number(row?.n ?? 0) / (baselineMs / windowMs);
    return {
      event: name,
      windowMs,
      baselineMs,
      current: recent.at(-1) ?? 0,
      usual,
      threshold: usual === undefined ? undefined : Math.max(rule.minEvents, rule.factor * usual),
      recent,
      recentFrom: now - windowMs * windows,
    };
  }
}
