/**
 * A high quantile of the most recent samples, in bounded memory: a ring of
 * the last `capacity` samples, re-sorted every `refreshEvery` inserts (so the
 * amortised cost per sample stays small).
 */
export class RecentQuantile {
  readonly #ring: Float64Array;
  readonly #q: number;
  readonly #refreshEvery: number;
  #size = 0;
  #next = 0;
  #sinceRefresh = 0;
  #value = 0;

  constructor(options: { q: number; capacity?: number; refreshEvery?: number }) {
    this.#q = options.q;
    this.#ring = new Float64Array(options.capacity ?? 4096);
    this.#refreshEvery = options.refreshEvery ?? 64;
  }

  add(sample: number): void {
    this.#ring[this.#next] = sample;
    this.#next = (this.#next + 1) % this.#ring.length;
    if (this.#size < this.#ring.length) this.#size++;
    // Early on every sample matters; later a periodic refresh is enough.
    if (++this.#sinceRefresh >= this.#refreshEvery || this.#size <= this.#refreshEvery) this.#refresh();
  }

  /** The quantile of the samples kept, or 0 before the first one. */
  get value(): number {
    return this.#value;
  }

  get count(): number {
    return this.#size;
  }

  #refresh(): void {
    this.#sinceRefresh = 0;
    const sorted = this.#ring.slice(0, this.#size).sort();
    const index = Math.min(sorted.length - 1, Math.ceil(this.#q * sorted.length) - 1);
    this.#value = sorted[Math.max(0, index)] ?? 0;
  }
}
