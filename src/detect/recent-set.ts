/** Sets up to this size are two parallel arrays (a Map costs hundreds of bytes even for one value). */
const SMALL = 16;

/**
 * The distinct values of one case and group, each with the newest bucket it
 * was seen in, oldest first, so the values that left the window are dropped
 * from the front. Most groups hold a handful of values (one address, a few
 * logins): those live in two small arrays; past SMALL they move to a Map.
 */
export class RecentSet {
  #keys: string[];
  #buckets: number[];
  #map: Map<string, number> | undefined;

  /** Created with its first value: array literals of one, not empty arrays that grow to 17 on the first push. */
  constructor(value: string, bucket: number) {
    this.#keys = [value];
    this.#buckets = [bucket];
  }

  get size(): number {
    return this.#map ? this.#map.size : this.#keys.length;
  }

  /** Records `value` as seen in `bucket` (never older than the newest bucket seen). */
  add(value: string, bucket: number): void {
    if (this.#map) {
      this.#map.delete(value);
      this.#map.set(value, bucket);
      return;
    }
    const i = this.#keys.indexOf(value);
    if (i >= 0) {
      this.#keys.splice(i, 1);
      this.#buckets.splice(i, 1);
    }
    this.#keys.push(value);
    this.#buckets.push(bucket);
    if (this.#keys.length > SMALL) {
      this.#map = new Map();
      for (let j = 0; j < this.#keys.length; j++) this.#map.set(this.#keys[j] as string, this.#buckets[j] as number);
      this.#keys = [];
      this.#buckets = [];
    }
  }

  /** Drops the values last seen before `start`; returns how many remain. */
  prune(start: number): number {
    if (this.#map) {
      for (const [v, b] of this.#map) {
        if (b >= start) break;
        this.#map.delete(v);
      }
      return this.#map.size;
    }
    let n = 0;
    while (n < this.#buckets.length && (this.#buckets[n] as number) < start) n++;
    if (n > 0) {
      this.#keys.splice(0, n);
      this.#buckets.splice(0, n);
    }
    return this.#keys.length;
  }

  /** Every value with its bucket, oldest first. */
  *entries(): IterableIterator<[string, number]> {
    if (this.#map) {
      yield* this.#map;
      return;
    }
    for (let j = 0; j < this.#keys.length; j++) yield [this.#keys[j] as string, this.#buckets[j] as number];
  }

  /** The newest `limit` values, newest last. */
  newest(limit: number): string[] {
    return (this.#map ? [...this.#map.keys()] : this.#keys).slice(-limit);
  }
}
