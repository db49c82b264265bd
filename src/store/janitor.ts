import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/log.js';

/**
 * Removes what has expired (tokens, sessions, spent proof-of-work, blocks) in
 * the background, so lookups stay small. Expiry is always checked at use; this
 * only reclaims space.
 */
export class Janitor {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { db: Kysely<Database>; clock: Clock; logger: Logger; everyMs?: number }) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#everyMs = options.everyMs ?? 10 * 60_000;
  }

  start(): void {
    this.#timer = setInterval(() => void this.runOnce().catch((err: unknown) => this.#logger.warn({ err }, 'pruning expired rows failed')), this.#everyMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async runOnce(): Promise<number> {
    const now = new Date(this.#clock.now());
    let removed = 0;
    for (const table of ['tokens', 'pow_spent', 'blocks'] as const) {
      removed += Number((await this.#db.deleteFrom(table).where('expires_at', '<=', now).executeTakeFirst()).numDeletedRows);
    }
    removed += Number(
      (await this.#db.deleteFrom('sessions').where((eb) => eb.or([eb('expires_at', '<=', now), eb('absolute_expires_at', '<=', now)])).executeTakeFirst()).numDeletedRows,
    );
    return removed;
  }
}
