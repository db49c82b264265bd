/**
 * A high quantile of the recent samples, in bounded memory: a ring of the
 * last `capacity` samples, each with the time it was taken. The quantile is
 * re-computed every `refreshEvery` inserts and, when samples age, at most
 * once a `refreshMs`: so the amortised cost per sample stays small.
 *
 * With `horizonMs`, samples older than that stop counting, except the newest
 * `keepAtLeast` (so a quiet period does not empty it): a burst of slow work
 * raises the quantile, and it comes down again once the burst is older than
 * the horizon, instead of after `capacity` more samples.
 */
export class RecentQuantile {
  readonly #ring: Float64Array;
  readonly #at: Float64Array;
  readonly #q: number;
  readonly #refreshEvery: number;
  readonly #horizonMs: number;
  readonly #keepAtLeast: number;
  readonly #refreshMs: number;
  #size = 0;
  #next = 0;
  #sinceRefresh = 0;
  #refreshedAt = Number.NEGATIVE_INFINITY;
  #value = 0;

  constructor(options: { q: number; capacity?: number; refreshEvery?: number; horizonMs?: number; keepAtLeast?: number; refreshMs?: number }) {
    this.#q = options.q;
    this.#ring = new Float64Array(options.capacity ?? 4096);
    this.#at = new Float64Array(this.#ring.length);
    this.#refreshEvery = options.refreshEvery ?? 64;
    this.#horizonMs = options.horizonMs ?? Number.POSITIVE_INFINITY;
    this.#keepAtLeast = Math.min(options.keepAtLeast ?? 64, this.#ring.length);
    this.#refreshMs = options.refreshMs ?? 1000;
  }

  /** Adds a sample taken at `at` (ms on any monotonic clock; only differences matter). */
  add(sample: number, at = 0): void {
    this.#ring[this.#next] = sample;
    this.#at[this.#next] = at;
    this.#next = (this.#next + 1) % this.#ring.length;
    if (this.#size < this.#ring.length) this.#size++;
    // Early on every sample matters; later a periodic refresh is enough.
    if (++this.#sinceRefresh >= this.#refreshEvery || this.#size <= this.#refreshEvery) this.#refresh(at);
  }

  /** The quantile of the samples kept, as of the last refresh, or 0 before the first one. */
  get value(): number {
    return this.#value;
  }

  /** The quantile at `now`: samples past the horizon are dropped first (at most once a `refreshMs`). */
  valueAt(now: number): number {
    if (this.#horizonMs !== Number.POSITIVE_INFINITY && now - this.#refreshedAt >= this.#refreshMs) this.#refresh(now);
    return this.#value;
  }

  get count(): number {
    return this.#size;
  }

  #refresh(now: number): void {
    this.#sinceRefresh = 0;
    this.#refreshedAt = now;
    const kept: number[] = [];
    const cutoff = now - this.#horizonMs;
    // Newest first, so the newest `keepAtLeast` count whatever their age.
    for (let k = 0; k < this.#size; k++) {
      const i = (this.#next - 1 - k + this.#ring.length) % this.#ring.length;
      if (k < this.#keepAtLeast || this.#at[i]! >= cutoff) kept.push(this.#ring[i]!);
    }
    const sorted = Float64Array.from(kept).sort();
    const index = Math.min(sorted.length - 1, Math.ceil(this.#q * sorted.length) - 1);
    this.#value = sorted[Math.max(0, index)] ?? 0;
  }
}
