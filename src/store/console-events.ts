import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** One stored event as the console lists it. */
export interface EventRow {
  /** The table's id (a decimal string): what "reveal" names. */
  id: string;
  name: string;
  at: number;
  login: string | null;
  identityId: string | null;
  ip: string | null;
  userAgent: string | null;
  source: string;
  attrs: Record<string, unknown>;
}

export interface EventSearch {
  /** A normalized identifier, matched exactly. */
  login?: string;
  /** A normalized address, matched exactly. */
  ip?: string;
  /** A normalized CIDR range (`203.0.113.0/24`): events whose address is in it. */
  network?: string;
  name?: string;
  identityId?: string;
  since?: number;
  until?: number;
  /** The `next` of the previous page. */
  before?: { at: number; id: string };
  /** Default 50, at most 200. */
  limit?: number;
}

export interface EventPage {
  events: EventRow[];
  next?: { at: number; id: string };
}

/** A webhook the outbox sent (or tries to send) for a signal: its state, never its URL's path or query (a Slack URL is a credential). */
export interface WebhookDelivery {
  id: string;
  host: string;
  createdAt: number;
  attempts: number;
  state: 'delivered' | 'failed' | 'pending';
  lastError: string | null;
}

/** A block as the console shows it, live or lapsed (until the janitor purges it). */
export interface BlockRow {
  id: string;
  cidr: string;
  reason: string;
  source: string;
  createdAt: number;
  expiresAt: number;
}

type Row = { id: string; name: string; at: Date; login: string | null; identity_id: string | null; ip: string | null; user_agent: string | null; source: string; attrs: unknown };

function toRow(r: Row): EventRow {
  const attrs = (typeof r.attrs === 'string' ? JSON.parse(r.attrs) : r.attrs) as Record<string, unknown> | null;
  return { id: String(r.id), name: r.name, at: new Date(r.at).getTime(), login: r.login, identityId: r.identity_id, ip: r.ip, userAgent: r.user_agent, source: r.source, attrs: attrs ?? {} };
}

/** An address's IPv4 or IPv6 value, or NULL for text that is neither (events from other apps are normalized, but a cast must never fail a search). */
const IP_INET = sql`CASE WHEN ip ~ '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$' OR ip ~ '^[0-9a-fA-F:.]+$' THEN (CASE WHEN ip ~ '(^|\\.)(25[6-9]|2[6-9][0-9]|[3-9][0-9]{2})(\\.|$)' THEN NULL ELSE ip::inet END) END`;

/** The console's searches over `events`, and what hush answered a signal with (`blocks`, `outbox`). */
export class ConsoleEventStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Newest first, keyset-paged by (at, id). */
  async search(q: EventSearch): Promise<EventPage> {
    const limit = Math.min(200, Math.max(1, q.limit ?? 50));
    let query = this.#db.selectFrom('events').select(['id', 'name', 'at', 'login', 'identity_id', 'ip', 'user_agent', 'source', 'attrs']);
    if (q.login !== undefined) query = query.where('login', '=', q.login);
    if (q.ip !== undefined) query = query.where('ip', '=', q.ip);
    if (q.network !== undefined) query = query.where(sql<boolean>`(${IP_INET}) <<= ${q.network}::inet`);
    if (q.name !== undefined) query = query.where('name', '=', q.name);
    if (q.identityId !== undefined) query = query.where('identity_id', '=', q.identityId);
    if (q.since !== undefined) query = query.where('at', '>=', new Date(q.since));
    if (q.until !== undefined) query = query.where('at', '<', new Date(q.until));
    const b = q.before;
    if (b !== undefined) query = query.where((eb) => eb.or([eb('at', '<', new Date(b.at)), eb.and([eb('at', '=', new Date(b.at)), eb('id', '<', b.id)])]));
    const rows = (await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute()) as Row[];
    const events = rows.slice(0, limit).map(toRow);
    const last = events.at(-1);
    return rows.length > limit && last !== undefined ? { events, next: { at: last.at, id: last.id } } : { events };
  }

  /** One event by its id. */
  async get(id: string): Promise<EventRow | undefined> {
    if (!/^\d{1,19}$/.test(id)) return undefined;
    const row = (await this.#db.selectFrom('events').select(['id', 'name', 'at', 'login', 'identity_id', 'ip', 'user_agent', 'source', 'attrs']).where('id', '=', id).executeTakeFirst());
    return row === undefined ? undefined : toRow(row);
  }

  /** Counts of the events matching `q` in `buckets` buckets of `bucketMs` from `from`, by name: a signal group's timeline. */
  async timeline(q: Pick<EventSearch, 'login' | 'ip'>, from: number, bucketMs: number, buckets: number): Promise<Map<string, number[]>> {
    let query = this.#db
      .selectFrom('events')
      .select([sql<string>`name`.as('name'), sql<number>`floor((extract(epoch FROM at) * 1000 - ${from}) / ${bucketMs})::int`.as('b'), sql<number>`count(*)::int`.as('n')])
      .where('at', '>=', new Date(from))
      .where('at', '<', new Date(from + bucketMs * buckets));
    if (q.login !== undefined) query = query.where('login', '=', q.login);
    if (q.ip !== undefined) query = query.where('ip', '=', q.ip);
    const rows = await query.groupBy(['name', sql`2`]).execute();
    const out = new Map<string, number[]>();
    for (const r of rows) {
      const counts = out.get(r.name) ?? new Array<number>(buckets).fill(0);
      if (r.b >= 0 && r.b < buckets) counts[r.b] = Number(r.n);
      out.set(r.name, counts);
    }
    return out;
  }

  /** Blocks whose reason names this signal (detection writes `signal <id>: …`, the console `console, signal <id>: …`). */
  async blocksFor(signalId: string): Promise<BlockRow[]> {
    const rows = await this.#db
      .selectFrom('blocks')
      .selectAll()
      .where((eb) => eb.or([eb('reason', 'like', `signal ${signalId}:%`), eb('reason', 'like', `console, signal ${signalId}:%`)]))
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({ id: r.id, cidr: r.cidr, reason: r.reason, source: r.source, createdAt: new Date(r.created_at).getTime(), expiresAt: new Date(r.expires_at).getTime() }));
  }

  /** Every block still in the table (live and lapsed), newest first. */
  async blocks(limit = 500): Promise<BlockRow[]> {
    const rows = await this.#db.selectFrom('blocks').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, cidr: r.cidr, reason: r.reason, source: r.source, createdAt: new Date(r.created_at).getTime(), expiresAt: new Date(r.expires_at).getTime() }));
  }

  /** The webhook rows whose body names this signal, oldest first. */
  async webhooksFor(signalId: string): Promise<WebhookDelivery[]> {
    const needle = `%"id":${JSON.stringify(signalId)}%`;
    const rows = await this.#db
      .selectFrom('outbox')
      .select(['id', 'created_at', 'attempts', 'delivered_at', 'failed_at', 'last_error', sql<string | null>`payload->>'url'`.as('url'), sql<string | null>`payload->>'body'`.as('body')])
      .where('kind', '=', 'webhook')
      .where(sql<boolean>`payload->>'body' LIKE ${needle}`)
      .orderBy('created_at')
      .limit(100)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      host: hostOf(r.url),
      createdAt: new Date(r.created_at).getTime(),
      attempts: r.attempts,
      state: r.delivered_at !== null ? 'delivered' : r.failed_at !== null ? 'failed' : 'pending',
      lastError: r.last_error,
    }));
  }

  /** Addresses that met a guard or a detection answer since `since`: whose proof-of-work level is worth showing. */
  async guardedAddresses(since: number, limit = 50): Promise<{ ip: string; events: number }[]> {
    const rows = await sql<{ ip: string; n: number }>`
      SELECT ip, count(*)::int AS n FROM events
      WHERE name LIKE 'hush.guard.%' AND at >= ${new Date(since)} AND ip IS NOT NULL
      GROUP BY ip ORDER BY n DESC, ip LIMIT ${limit}`.execute(this.#db);
    return rows.rows.map((r) => ({ ip: r.ip, events: Number(r.n) }));
  }
}

/** A delivered row's payload is scrubbed of its URL: the host is unknown then. */
function hostOf(url: string | null): string {
  if (url === null) return '(scrubbed after delivery)';
  try {
    return new URL(url).host;
  } catch {
    return '(not a URL)';
  }
}
