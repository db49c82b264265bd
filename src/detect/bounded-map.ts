/**
 * A two-level map (space → key → value) with one size bound over all spaces,
 * evicting the least recently used entry in O(1) amortized (a "second chance"
 * queue). Spaces let callers look up by the raw group value (an address as it
 * came in) instead of building a compound key string per event, which costs
 * an allocation and a hash each time. A plain Map moved to its end on every
 * touch and evicted from its front also degrades badly: V8 leaves deleted
 * slots at the front until it rehashes, and every `keys().next()` walks them.
 */
interface Entry<V> {
  value: V;
  key: string;
  space: Map<string, Entry<V>>;
  touched: number;
  queued: number;
  dead: boolean;
}

export class BoundedMap<V> {
  readonly #max: number;
  readonly #spaces = new Map<string, Map<string, Entry<V>>>();
  #queue: Entry<V>[] = [];
  #head = 0;
  #tick = 0;
  #size = 0;
  #evictions = 0;

  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  get size(): number {
    return this.#size;
  }

  get evictions(): number {
    return this.#evictions;
  }

  #space(space: string): Map<string, Entry<V>> {
    let s = this.#spaces.get(space);
    if (s === undefined) {
      s = new Map();
      this.#spaces.set(space, s);
    }
    return s;
  }

  /** The value, marked as just used. */
  get(space: string, key: string): V | undefined {
    const e = this.#spaces.get(space)?.get(key);
    if (e === undefined) return undefined;
    e.touched = ++this.#tick;
    return e.value;
  }

  /** The value, without marking it used. */
  peek(space: string, key: string): V | undefined {
    return this.#spaces.get(space)?.get(key)?.value;
  }

  set(space: string, key: string, value: V): void {
    const s = this.#space(space);
    const e = s.get(key);
    if (e !== undefined) {
      e.value = value;
      e.touched = ++this.#tick;
      return;
    }
    const tick = ++this.#tick;
    const entry: Entry<V> = { value, key, space: s, touched: tick, queued: tick, dead: false };
    s.set(key, entry);
    this.#queue.push(entry);
    this.#size++;
    while (this.#size > this.#max) this.#evictOne();
  }

  delete(space: string, key: string): void {
    const s = this.#spaces.get(space);
    const e = s?.get(key);
    if (!s || !e) return;
    s.delete(key);
    // Stays in the queue, skipped when it reaches the head.
    e.dead = true;
    this.#size--;
  }

  clear(): void {
    this.#spaces.clear();
    this.#queue = [];
    this.#head = 0;
    this.#size = 0;
  }

  #evictOne(): void {
    for (;;) {
      const e = this.#queue[this.#head++];
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (e === undefined) return;
      if (e.dead) continue;
      if (e.touched > e.queued) {
        e.queued = ++this.#tick;
        this.#queue.push(e);
        continue;
      }
      e.space.delete(e.key);
      e.dead = true;
      this.#size--;
      this.#evictions++;
      return;
    }
  }
}
