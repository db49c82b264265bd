import type { Kysely } from 'kysely';
import type { AccountEvent } from '../core/event.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/log.js';
import type { EventStore } from '../detect/stores.js';
import type { Database } from './schema.js';

export type { EventStore } from '../detect/stores.js';

/** The `events` table: one multi-row insert per batch; pruned by age. */
export class SqlEventStore implements EventStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(events: readonly AccountEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.#db
      .insertInto('events')
      .values(
        events.map((e) => ({
          name: e.name,
          at: new Date(e.at),
          login: e['usr.login'] ?? null,
          identity_id: e['usr.id'] ?? null,
          exists: e['usr.exists'] ?? null,
          ip: e['network.client.ip'] ?? null,
          user_agent: e['http.useragent'] ?? null,
          source: e.source ?? 'hush',
          attrs: JSON.stringify(e.attrs ?? {}),
        })),
      )
      .execute();
  }

  /** Events in time order from `since` (inclusive), at most `limit`. */
  async list(options: { since?: number; until?: number; limit?: number } = {}): Promise<AccountEvent[]> {
    let q = this.#db.selectFrom('events').selectAll();
    if (options.since !== undefined) q = q.where('at', '>=', new Date(options.since));
    if (options.until !== undefined) q = q.where('at', '<', new Date(options.until));
    const rows = await q.orderBy('at').orderBy('id').limit(options.limit ?? 10_000).execute();
    return rows.map((r) => {
      const e: AccountEvent = { name: r.name, at: new Date(r.at).getTime(), source: r.source };
      if (r.login !== null) e['usr.login'] = r.login;
      if (r.identity_id !== null) e['usr.id'] = r.identity_id;
      if (r.exists !== null) e['usr.exists'] = r.exists;
      if (r.ip !== null) e['network.client.ip'] = r.ip;
      if (r.user_agent !== null) e['http.useragent'] = r.user_agent;
      const attrs = (typeof r.attrs === 'string' ? JSON.parse(r.attrs) : r.attrs) as Record<string, string | number | boolean> | null;
      if (attrs && Object.keys(attrs).length > 0) e.attrs = attrs;
      return e;
    });
  }

  /**
   * Deletes events older than `before`, a chunk at a time so that a large
   * backlog never holds a long lock; returns how many.
   */
  async prune(before: number, chunk = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const res = await this.#db
        .deleteFrom('events')
        .where('id', 'in', (eb) => eb.selectFrom('events').select('id').where('at', '<', new Date(before)).limit(chunk))
        .executeTakeFirst();
      const n = Number(res.numDeletedRows);
      total += n;
      if (n < chunk) return total;
    }
  }
}

/** Prunes events past the retention (HUSH_EVENT_RETENTION, default 30 days) in the background. */
export class EventRetention {
  readonly #store: SqlEventStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #retentionMs: number;
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { store: SqlEventStore; clock: Clock; logger: Logger; retentionMs: number; everyMs?: number }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#retentionMs = options.retentionMs;
    this.#everyMs = options.everyMs ?? 60 * 60_000;
  }

  start(): void {
    void this.#tick();
    this.#timer = setInterval(() => void this.#tick(), this.#everyMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  runOnce(): Promise<number> {
    return this.#store.prune(this.#clock.now() - this.#retentionMs);
  }

  async #tick(): Promise<void> {
    try {
      const removed = await this.runOnce();
      if (removed > 0) this.#logger.info({ removed }, 'pruned events past retention');
    } catch (err) {
      this.#logger.warn({ err }, 'pruning old events failed');
    }
  }
}
