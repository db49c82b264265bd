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

/** The network an address belongs to, in SQL: its /24 (IPv4, by string: no cast per row) or /64 (IPv6), as the block list and the limits count them. */
const NETWORK = sql<string>`CASE WHEN strpos(ip, ':') > 0 THEN host(network(set_masklen(ip::inet, 64))) || '/64' ELSE left(ip, length(ip) - strpos(reverse(ip), '.')) || '.0/24' END`;

/** The widths `event_counts` keeps (migration 0004), widest first. */
const WIDTHS_MS = [3_600_000, 900_000, 60_000] as const;

/**
 * The console overview's queries. The charts read `event_counts` (events per
 * name per minute and per hour, kept by triggers on `events`), so their cost
 * is a few thousand rows whatever the volume; the top-address tables read the
 * `(name, at) INCLUDE (ip)` index, one scan per event name for both tables.
 */
export class ConsoleOverviewStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Per event name, counts in `buckets` buckets of `bucketMs` from `from`. */
  async series(names: readonly string[], from: number, bucketMs: number, buckets: number): Promise<FlowSeries[]> {
    const to = from + bucketMs * buckets;
    // The widest kept width that tiles the buckets; none (an unaligned range) reads the events themselves.
    const width = WIDTHS_MS.find((w) => bucketMs % w === 0 && from % w === 0);
    const rows =
      width === undefined
        ? await sql<{ name: string; b: number; n: number }>`
            SELECT name, floor((extract(epoch FROM at) * 1000 - ${from}) / ${bucketMs})::int AS b, count(*)::int AS n
            FROM events
            WHERE name IN (${sql.join(names)}) AND at >= ${new Date(from)} AND at < ${new Date(to)}
            GROUP BY 1, 2`.execute(this.#db)
        : await sql<{ name: string; b: number; n: number }>`
            SELECT name, floor((date_part('epoch', at) * 1000 - ${from}::float8) / ${bucketMs}::float8)::int AS b, sum(n)::int AS n
            FROM event_counts
            WHERE width = ${width / 1000} AND name IN (${sql.join(names)}) AND at >= ${new Date(from)} AND at < ${new Date(to)}
            GROUP BY 1, 2`.execute(this.#db);
    const byName = new Map(names.map((n) => [n, new Array<number>(buckets).fill(0)]));
    for (const r of rows.rows) {
      const counts = byName.get(r.name);
      if (counts !== undefined && r.b >= 0 && r.b < buckets) counts[r.b] = Number(r.n);
    }
    return names.map((event) => ({ event, counts: byName.get(event) ?? [] }));
  }

  /** The addresses and the networks (/24, /64) that sent the most `name` events in [from, to): one scan of the index. */
  async top(name: string, from: number, to: number, limit = 8): Promise<{ addresses: TopRow[]; networks: TopRow[] }> {
    const rows = await sql<{ kind: 'a' | 'n'; key: string; n: number; a: number }>`
      WITH per_ip AS (
        SELECT ip, count(*)::int AS n FROM events
        WHERE name = ${name} AND at >= ${new Date(from)} AND at < ${new Date(to)} AND ip IS NOT NULL
        GROUP BY ip
      )
      (SELECT 'a' AS kind, ip AS key, n, 1 AS a FROM per_ip ORDER BY n DESC, ip LIMIT ${limit})
      UNION ALL
      (SELECT 'n' AS kind, net AS key, sum(n)::int AS n, count(*)::int AS a FROM (SELECT ${NETWORK} AS net, n FROM per_ip) t GROUP BY net ORDER BY 3 DESC, net LIMIT ${limit})`.execute(this.#db);
    const pick = (kind: 'a' | 'n'): TopRow[] => rows.rows.filter((r) => r.kind === kind).map((r) => ({ key: r.key, events: Number(r.n), ...(kind === 'n' ? { addresses: Number(r.a) } : {}) }));
    return { addresses: pick('a'), networks: pick('n') };
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
    // Whole minutes, the current one included, so both questions read the per-minute counts.
    const end = Math.ceil((now + 1) / 60_000) * 60_000;
    const start = end - windowMs;
    const windows = 24;
    const [series, history] = await Promise.all([
      this.series([name], end - windowMs * windows, windowMs, windows),
      sql<{ n: number | null; first: Date | null }>`
        SELECT sum(n)::int AS n, min(at) AS first FROM event_counts
        WHERE width = 60 AND name = ${name} AND at >= ${new Date(start - baselineMs)} AND at < ${new Date(start)}`.execute(this.#db),
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
      recentFrom: end - windowMs * windows,
    };
  }
}
