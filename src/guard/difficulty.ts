import type { LimiterFactory, Marks, WindowedCounter } from './limiter.js';
import { MAX_DIFFICULTY } from './pow.js';

/**
 * Proof-of-work difficulty per client. The base is tuned to a fraction of a
 * second on a phone; an address that recently tripped a guard (limit,
 * honeypot, bad solution) pays 4× after one hit and 16× after ten within the
 * hour, and an address a detection response marked pays its mark's factor
 * (default 16×) until the mark expires. The factor is the largest that
 * applies, never their product.
 */

const HIT_WINDOW_MS = 60 * 60_000;
export const DEFAULT_RAISE_FACTOR = 16;

export class Difficulty {
  readonly base: number;
  readonly #hits: WindowedCounter;
  readonly #raised: Marks;

  constructor(base: number, factory: LimiterFactory) {
    this.base = base;
    this.#hits = factory.create('pow:hits', { points: 1_000_000, durationMs: HIT_WINDOW_MS });
    this.#raised = factory.marks('pow:raised');
  }

  /** Records a guard hit against an address key. */
  async hit(addressKey: string): Promise<void> {
    await this.#hits.add(addressKey);
  }

  /** Raises the difficulty for an address key by `factor` for `durationMs` (a detection response). */
  async raise(addressKey: string, durationMs: number, factor = DEFAULT_RAISE_FACTOR): Promise<void> {
    await this.#raised.set(addressKey, factor, durationMs);
  }

  /** The difficulty a client at this address key must solve now. */
  async for(addressKey: string): Promise<number> {
    const [hits, raised] = await Promise.all([this.#hits.peek(addressKey), this.#raised.get(addressKey)]);
    const fromHits = hits.count >= 10 ? 16 : hits.count >= 1 ? 4 : 1;
    const factor = Math.max(1, fromHits, raised);
    return Math.min(MAX_DIFFICULTY, this.base * factor);
  }
}
