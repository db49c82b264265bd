/** Sets up to this size are two parallel arrays (a Map costs hundreds of bytes even for one value). */
const SMALL = 16;

/**
 * The distinct values of one case and group, each with the newest bucket it
 * was seen in, oldest first, so the values that left the window are dropped
 * from the front. Most groups hold a handful of values (one address, a few
 * logins): those live in two small arrays, moved in place (splice would
 * allocate an array per call); past SMALL they move to a Map.
 */
export class RecentSet {
  #keys: string[];
  #buckets: number[];
  /** A cheap hash of each key: a scan compares these, and reads a stored string only when they agree. */
  #prints: number[];
  #map: Map<string, number> | undefined;
  /** With a Map: the bucket of its first (oldest) entry, Infinity when empty; NaN when not known. */
  #mapOldest = Number.NaN;

  /** Created with its first value: array literals of one, not empty arrays that grow to 17 on the first push. */
  constructor(value: string, bucket: number) {
    this.#keys = [value];
    this.#buckets = [bucket];
    this.#prints = [print(value)];
  }

  get size(): number {
    return this.#map ? this.#map.size : this.#keys.length;
  }

  /** The bucket of the oldest value (Infinity when empty; NaN when it is not known without a walk). */
  get oldest(): number {
    if (this.#map) return this.#mapOldest;
    return this.#buckets.length === 0 ? Number.POSITIVE_INFINITY : (this.#buckets[0] as number);
  }

  /** Records `value` as seen in `bucket` (never older than the newest bucket seen). */
  add(value: string, bucket: number): void {
    if (this.#map) {
      // Moving the oldest entry to the end makes the next one the oldest: not known until a prune walks there.
      if (this.#map.delete(value) && this.#map.size > 0) this.#mapOldest = Number.NaN;
      else if (this.#map.size === 0) this.#mapOldest = bucket;
      this.#map.set(value, bucket);
      return;
    }
    const keys = this.#keys;
    const buckets = this.#buckets;
    const prints = this.#prints;
    const n = keys.length;
    const p = print(value);
    // Newest first: a value seen again was most likely seen lately.
    for (let i = n - 1; i >= 0; i--) {
      if (prints[i] !== p || keys[i] !== value) continue;
      for (let j = i; j < n - 1; j++) {
        keys[j] = keys[j + 1] as string;
        buckets[j] = buckets[j + 1] as number;
        prints[j] = prints[j + 1] as number;
      }
      keys[n - 1] = value;
      buckets[n - 1] = bucket;
      prints[n - 1] = p;
      return;
    }
    keys.push(value);
    buckets.push(bucket);
    prints.push(p);
    if (n + 1 > SMALL) {
      this.#map = new Map();
      for (let j = 0; j <= n; j++) this.#map.set(keys[j] as string, buckets[j] as number);
      this.#mapOldest = buckets[0] as number;
      this.#keys = [];
      this.#buckets = [];
      this.#prints = [];
    }
  }

  /** Drops the values last seen before `start`; returns how many remain. */
  prune(start: number): number {
    if (this.#map) {
      let oldest = Number.POSITIVE_INFINITY;
      for (const [v, b] of this.#map) {
        if (b >= start) {
          oldest = b;
          break;
        }
        this.#map.delete(v);
      }
      this.#mapOldest = oldest;
      return this.#map.size;
    }
    const keys = this.#keys;
    const buckets = this.#buckets;
    const length = keys.length;
    let n = 0;
    while (n < length && (buckets[n] as number) < start) n++;
    if (n > 0) {
      const prints = this.#prints;
      for (let j = n; j < length; j++) {
        keys[j - n] = keys[j] as string;
        buckets[j - n] = buckets[j] as number;
        prints[j - n] = prints[j] as number;
      }
      keys.length = length - n;
      buckets.length = length - n;
      prints.length = length - n;
    }
    return length - n;
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

/** FNV-1a over the UTF-16 code units, as a small integer: equal strings agree, most others do not. */
function print(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 2;
}
