import { sql } from 'kysely';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, OutboxTable } from './schema.js';
import type { OutboxKind, OutboxMessage, OutboxPayloads, OutboxWriter } from '../core/outbox.js';
import type { ClaimedMessage, OutboxQueue, OutboxStats } from '../outbox/queue.js';
import type { Clock } from '../kernel/clock.js';
import type { Random } from '../kernel/random.js';
import { randomId } from '../kernel/random.js';

/** One row as it stands, for tests and tools. */
export interface OutboxRow extends OutboxMessage {
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
  lastError: string | null;
}

export type { ClaimedMessage, OutboxStats } from '../outbox/queue.js';

/** The longest error text kept on a row: enough to diagnose, too short to carry a message body. */
const ERROR_MAX = 500;

/**
 * What a row's payload becomes once it is settled (delivered or given up),
 * in the statement that settles it: no secret is kept after its use
 * (design.md §4.3). A `mail` row's `vars` hold its links, and a link holds a
 * live token, so only `to` and `template` stay (for inspection), and only as
 * strings, with `decoy: true` on a decoy (it was never sent). Events and webhooks carry no secret and stay as they are (the
 * events table has the events already; retention prunes both). A kind this
 * version does not know might hold anything, so nothing of it is kept.
 * Nothing reads a settled row's payload to deliver it: settled rows are
 * never claimed again, and were one claimed, a scrubbed mail would fail for
 * want of its link rather than go out without one.
 */
const SCRUBBED_PAYLOAD = sql<string>`CASE
  WHEN kind = 'mail' THEN jsonb_build_object(
    'to', CASE WHEN jsonb_typeof(payload -> 'to') = 'string' THEN payload -> 'to' END,
    'template', CASE WHEN jsonb_typeof(payload -> 'template') = 'string' THEN payload -> 'template' END,
    'scrubbed', true) || CASE WHEN payload -> 'decoy' = 'true'::jsonb THEN '{"decoy": true}'::jsonb ELSE '{}'::jsonb END
  WHEN kind IN ('event', 'webhook') THEN payload
  ELSE '{"scrubbed": true}'::jsonb
END`;

/**
 * The outbox table (design.md §4.6). Built on the root database it writes on
 * its own; built on a transaction (`new OutboxRepository(tx, …)`) its
 * `enqueue` commits or rolls back with the state change that caused it.
 * Every time comes from the injected clock, never from SQL `now()`, so the
 * worker's backoff and leases are tested without sleeping.
 */
export class OutboxRepository implements OutboxWriter, OutboxQueue {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #random: Random;

  constructor(db: Kysely<Database> | Transaction<Database>, clock: Clock, random: Random) {
    this.#db = db;
    this.#clock = clock;
    this.#random = random;
  }

  enqueue<K extends OutboxKind>(kind: K, payload: OutboxPayloads[K]): Promise<string> {
    return this.enqueueUnchecked(kind, payload);
  }

  /** A row of any kind and shape, as another version might have written it: for tests and tools only. */
  async enqueueUnchecked(kind: string, payload: unknown): Promise<string> {
    const id = randomId(this.#random);
    const now = new Date(this.#clock.now());
    await this.#db
      .insertInto('outbox')
      .values({ id, kind, payload: JSON.stringify(payload ?? null), next_attempt_at: now, created_at: now })
      .execute();
    return id;
  }

  /**
   * Takes up to `batch` due rows under a lease of `leaseMs` and counts the
   * attempt. One statement: `FOR UPDATE SKIP LOCKED` lets concurrent workers
   * take disjoint rows, and the lease hands a row to another worker only
   * once its holder has died or hung past `leaseUntil`.
   */
  async claim(batch: number, leaseMs: number): Promise<ClaimedMessage[]> {
    const now = new Date(this.#clock.now());
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const rows = await this.#db
      .updateTable('outbox')
      .set({ locked_until: leaseUntil, attempts: sql<number>`attempts + 1` })
      .where('id', 'in', (qb) =>
        qb
          .selectFrom('outbox')
          .select('id')
          .where('delivered_at', 'is', null)
          .where('failed_at', 'is', null)
          .where('next_attempt_at', '<=', now)
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(batch)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .execute();
    return rows
      .sort((a, b) => toMs(a.next_attempt_at) - toMs(b.next_attempt_at) || (a.id < b.id ? -1 : 1))
      .map((r) => ({ ...toMessage(r), leaseUntil }));
  }

  /** Delivered: never sent again, and its secret scrubbed (SCRUBBED_PAYLOAD). One statement for any number of rows. */
  async markDelivered(ids: string | readonly string[]): Promise<void> {
    const list = typeof ids === 'string' ? [ids] : [...ids];
    if (list.length === 0) return;
    const now = new Date(this.#clock.now());
    await this.#db
      .updateTable('outbox')
      .set({ delivered_at: now, locked_until: null, last_error: null, payload: SCRUBBED_PAYLOAD })
      .where('id', 'in', list)
      .execute();
  }

  /** Failed for now: try again at `nextAt`. */
  async reschedule(id: string, error: string, nextAt: Date): Promise<void> {
    await this.#db
      .updateTable('outbox')
      .set({ next_attempt_at: nextAt, locked_until: null, last_error: error.slice(0, ERROR_MAX) })
      .where('id', '=', id)
      .where('delivered_at', 'is', null)
      .execute();
  }

  /** Given up: never tried again; kept for inspection (until retention) with its secret scrubbed, as its link still works. */
  async markFailed(id: string, error: string): Promise<void> {
    const now = new Date(this.#clock.now());
    await this.#db
      .updateTable('outbox')
      .set({ failed_at: now, locked_until: null, last_error: error.slice(0, ERROR_MAX), payload: SCRUBBED_PAYLOAD })
      .where('id', '=', id)
      .where('delivered_at', 'is', null)
      .execute();
  }

  /** Hands claimed rows that were not attempted back at once (a stopping worker), uncounting the attempt. */
  async release(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#db
      .updateTable('outbox')
      .set({ locked_until: null, attempts: sql<number>`greatest(attempts - 1, 0)` })
      .where('id', 'in', [...ids])
      .where('delivered_at', 'is', null)
      .where('failed_at', 'is', null)
      .execute();
  }

  async stats(): Promise<OutboxStats> {
    const row = await this.#db
      .selectFrom('outbox')
      .select([
        sql<string>`count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL)`.as('pending'),
        sql<Date | null>`min(created_at) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL)`.as('oldest'),
        sql<string>`count(*) FILTER (WHERE failed_at IS NOT NULL)`.as('failed'),
      ])
      .executeTakeFirstOrThrow();
    const oldest = row.oldest === null ? null : toMs(row.oldest);
    return {
      pending: Number(row.pending),
      oldestAgeMs: oldest === null ? 0 : Math.max(0, this.#clock.now() - oldest),
      failed: Number(row.failed),
    };
  }

  async get(id: string): Promise<OutboxRow | undefined> {
    const r = await this.#db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    if (r === undefined) return undefined;
    return {
      ...toMessage(r),
      nextAttemptAt: toDate(r.next_attempt_at),
      lockedUntil: r.locked_until === null ? null : toDate(r.locked_until),
      deliveredAt: r.delivered_at === null ? null : toDate(r.delivered_at),
      failedAt: r.failed_at === null ? null : toDate(r.failed_at),
      lastError: r.last_error,
    };
  }

  /** Deletes delivered rows older than `before` (retention); returns how many. */
  async pruneDelivered(before: Date): Promise<number> {
    const result = await this.#db.deleteFrom('outbox').where('delivered_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Deletes settled rows (delivered or given up) settled before `before`
   * (HUSH_OUTBOX_RETENTION, run by the janitor); pending rows always stay.
   * Returns how many.
   */
  async pruneSettled(before: Date): Promise<number> {
    const result = await this.#db
      .deleteFrom('outbox')
      .where((eb) => eb.or([eb('delivered_at', '<', before), eb('failed_at', '<', before)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toMessage(r: Selectable<OutboxTable>): OutboxMessage {
  return { id: r.id, kind: r.kind, payload: r.payload, attempts: r.attempts, createdAt: toDate(r.created_at) };
}

function toDate(v: Date | string): Date {
  return v instanceof Date ? v : new Date(v);
}

function toMs(v: Date | string): number {
  return toDate(v).getTime();
}
