/**
 * A Map with a size bound that evicts the least recently used entry, in O(1)
 * amortized (a "second chance" queue). A plain Map moved to its end on every
 * touch and evicted from its front degrades badly: V8 leaves deleted slots at
 * the front until it rehashes, and every `keys().next()` walks over them.
 * Here a touch only stamps the entry; eviction pops the queue's head and
 * re-queues it once if it was touched since it was queued.
 */
export class BoundedMap<V> {
  readonly #max: number;
  readonly #entries = new Map<string, { value: V; touched: number; queued: number }>();
  #queue: string[] = [];
  #head = 0;
  #tick = 0;
  #evictions = 0;
  readonly #onEvict: ((key: string, value: V) => void) | undefined;

  constructor(max: number, onEvict?: (key: string, value: V) => void) {
    this.#max = Math.max(1, max);
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#entries.size;
  }

  get evictions(): number {
    return this.#evictions;
  }

  /** The value, marked as just used. */
  get(key: string): V | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    e.touched = ++this.#tick;
    return e.value;
  }

  /** The value, without marking it used. */
  peek(key: string): V | undefined {
    return this.#entries.get(key)?.value;
  }

  set(key: string, value: V): void {
    const e = this.#entries.get(key);
    if (e !== undefined) {
      e.value = value;
      e.touched = ++this.#tick;
      return;
    }
    const tick = ++this.#tick;
    this.#entries.set(key, { value, touched: tick, queued: tick });
    this.#queue.push(key);
    while (this.#entries.size > this.#max) this.#evictOne();
    // Deleted keys leave stale queue slots; rebuild before they outnumber the live ones.
    if (this.#queue.length - this.#head > 2 * this.#max + 1024) this.#rebuildQueue();
  }

  delete(key: string): void {
    // The key stays in the queue and is skipped when it reaches the head.
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#queue = [];
    this.#head = 0;
  }

  #rebuildQueue(): void {
    const live = [...this.#entries.entries()].sort((a, b) => a[1].queued - b[1].queued);
    this.#queue = live.map(([k]) => k);
    this.#head = 0;
  }

  #evictOne(): void {
    for (;;) {
      const key = this.#queue[this.#head++];
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (key === undefined) return;
      const e = this.#entries.get(key);
      if (e === undefined) continue;
      if (e.touched > e.queued) {
        e.queued = ++this.#tick;
        this.#queue.push(key);
        continue;
      }
      this.#entries.delete(key);
      this.#evictions++;
      this.#onEvict?.(key, e.value);
      return;
    }
  }
}
