import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/log.js';

/** Removes the rows of one kind that expired (or outlived their retention) before `now`; returns how many. */
export type Sweep = (now: Date) => Promise<number>;

/**
 * Runs each store's own expiry sweep in the background (tokens, sessions,
 * spent proof-of-work, blocks, and outbox rows settled longer ago than
 * HUSH_OUTBOX_RETENTION), so lookups stay small. Expiry is always checked at
 * use; this only reclaims space (settled outbox rows are scrubbed of their
 * secrets when settled, not here).
 */
export class Janitor {
  readonly #sweeps: readonly Sweep[];
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #everyMs: number;
  readonly #pace: () => Promise<void>;
  #timer: NodeJS.Timeout | undefined;

  /** `pace` is awaited before each sweep (the envelope's `quiet`: no sweep holds up a reply due for release). */
  constructor(options: { sweeps: readonly Sweep[]; clock: Clock; logger: Logger; everyMs?: number; pace?: () => Promise<void> }) {
    this.#sweeps = options.sweeps;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#everyMs = options.everyMs ?? 10 * 60_000;
    this.#pace = options.pace ?? ((): Promise<void> => Promise.resolve());
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
    for (const sweep of this.#sweeps) {
      await this.#pace();
      removed += await sweep(now);
    }
    return removed;
  }
}
