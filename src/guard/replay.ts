import type { PowReplayStore, SharedPowReplayStore } from './stores.js';
import type { StoreHealth } from './store-health.js';

/** How long a Redis spend may take before the fallback answers instead. */
const REDIS_TIMEOUT_MS = 250;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Proof-of-work replay on Redis with a fallback. While Redis is unreachable
 * the fallback (the database when there is one, else this process's memory)
 * spends solutions instead: never "accept everything". A solution spent in
 * Redis before the outage could be replayed once against the fallback, on one
 * instance, within its five minutes; that is the price of staying up.
 */
export class FallbackPowReplay implements PowReplayStore {
  readonly #primary: SharedPowReplayStore;
  readonly #fallback: PowReplayStore;
  readonly #health: StoreHealth;

  constructor(primary: SharedPowReplayStore, fallback: PowReplayStore, health: StoreHealth) {
    this.#primary = primary;
    this.#fallback = fallback;
    this.#health = health;
  }

  async spend(id: string, expiresAt: number, now: number): Promise<boolean> {
    if (this.#primary.ready) {
      try {
        const first = await withTimeout(this.#primary.spend(id, expiresAt, now), REDIS_TIMEOUT_MS);
        this.#health.restored();
        return first;
      } catch (err) {
        this.#health.fellBack(err);
        return this.#fallback.spend(id, expiresAt, now);
      }
    }
    this.#health.fellBack();
    return this.#fallback.spend(id, expiresAt, now);
  }
}
