import type { Logger } from '../kernel/log.js';
import type { GuardMetrics } from './metrics.js';

export type SharedStore = 'limits' | 'pow_replay';

/**
 * Fail closed, and say so (design.md §4.7): when the shared store is
 * unreachable a per-instance fallback decides. The first fallback of an outage
 * logs once and raises a gauge; every fallback decision is counted; the store
 * answering again lowers the gauge and logs once more.
 */
export class StoreHealth {
  readonly #store: SharedStore;
  readonly #logger: Logger;
  readonly #metrics: GuardMetrics;
  #degraded = false;

  constructor(store: SharedStore, logger: Logger, metrics: GuardMetrics) {
    this.#store = store;
    this.#logger = logger;
    this.#metrics = metrics;
    metrics.degraded.set({ store }, 0);
  }

  get degraded(): boolean {
    return this.#degraded;
  }

  /** A decision was taken by the fallback. */
  fellBack(cause?: unknown): void {
    this.#metrics.fallbackDecisions.inc({ store: this.#store });
    if (this.#degraded) return;
    this.#degraded = true;
    this.#metrics.degraded.set({ store: this.#store }, 1);
    const reason = cause instanceof Error ? cause.message : 'store not ready';
    this.#logger.error({ store: this.#store, reason }, `guard store unreachable: ${this.#store} now decided per instance (fail closed)`);
  }

  /** The shared store answers again. */
  restored(): void {
    if (!this.#degraded) return;
    this.#degraded = false;
    this.#metrics.degraded.set({ store: this.#store }, 0);
    this.#logger.warn({ store: this.#store }, `guard store reachable again: ${this.#store} shared across instances`);
  }
}
