import { BUCKETS } from './rule.js';
import { KeyIndex } from './key-index.js';

/** Slots per chunk: storage grows a chunk at a time, so growing never copies a window and at most one chunk is spare. */
const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** One rule's groups in the pool: its column in the index of the fields it groups by. */
export class RuleGroups {
  constructor(
    readonly owner: number,
    readonly id: string,
    readonly keys: KeyIndex,
    readonly column: number,
  ) {}
}

/**
 * The live groups of every rule, with one size bound over all rules. A group
 * is a slot: a row of bucket counters in shared typed arrays (chunks of
 * CHUNK slots), its newest bucket and per-case sums, and a few references
 * (its key, per-case details such as distinct values, a per-group extra such
 * as an anomaly baseline). A flood that creates a group per event therefore
 * allocates no object per group (a freed slot is reused), and a lookup is one
 * Map probe that yields a small integer.
 *
 * Eviction is a second-chance queue, O(1) amortized: a group is queued when
 * created; a lookup marks it used; the head of the queue is evicted unless it
 * was used since it was queued, in which case it is unmarked and queued again.
 * Groups leave only by eviction, so each live slot is in the queue once.
 */
export class GroupPool<D, X> {
  readonly #max: number;
  /** Cases per slot: the most cases of any rule seen (a rule with more re-lays the pool out). */
  #stride = 1;
  /** Slots handed out so far (free ones included). */
  #slots = 0;
  readonly #free: number[] = [];
  #size = 0;
  #evictions = 0;
  /** Per chunk, a view of the same buffer as #meta: per slot, after its row, stride × BUCKETS counters (one ring per case). */
  #counts: Uint32Array[] = [];
  /** Numbers per case in a slot's meta row. */
  readonly #perCase: number;
  /** 1 + perCase × stride. */
  #metaWidth: number;
  /** A slot's row and counters, in doubles: metaWidth + stride × BUCKETS / 2. */
  #slotWidth: number;
  /** Per chunk: CHUNK × metaWidth: the newest bucket written, then perCase numbers per case (the caller's: a window sum, …). */
  #meta: Float64Array[] = [];
  /** Per chunk: 1 when the slot was looked up since it was last queued. */
  #used: Uint8Array[] = [];
  /** Per chunk: a byte the caller keeps per group (set on create). */
  #mark: Uint8Array[] = [];
  /** Per chunk: the rule (its RuleGroups.owner) the slot belongs to. */
  #owner: Uint16Array[] = [];
  /** Per chunk: the slot's key id in its rule's KeyIndex. */
  #keyId: Int32Array[] = [];
  /** slot × stride + case. */
  #details: (D | undefined)[] = [];
  #extras: (X | undefined)[] = [];
  /** Ring of slots, oldest first. */
  #queue = new Uint32Array(1024);
  #head = 0;
  #queued = 0;
  readonly #rules: RuleGroups[] = [];
  readonly #byId = new Map<string, RuleGroups>();
  readonly #indexes = new Map<string, KeyIndex>();

  constructor(max: number, perCase: number) {
    this.#max = Math.max(1, max);
    this.#perCase = perCase;
    this.#metaWidth = 1 + perCase;
    // BUCKETS is even: a case's counters fill whole doubles.
    this.#slotWidth = this.#metaWidth + BUCKETS / 2;
  }

  get size(): number {
    return this.#size;
  }

  get evictions(): number {
    return this.#evictions;
  }

  /** Cases per slot: the stride of the counters (× BUCKETS) and of the sums. */
  get stride(): number {
    return this.#stride;
  }

  /**
   * The groups of rule `id` (registered on first use), making room for
   * `cases` cases per slot. `fields` names what it groups by: rules with the
   * same fields share one KeyIndex.
   */
  rule(id: string, cases: number, fields: string): RuleGroups {
    if (cases > this.#stride) this.#relayout(cases);
    let r = this.#byId.get(id);
    if (r === undefined) {
      if (this.#rules.length > 0xffff) throw new RangeError('too many rules for one detection state');
      let keys = this.#indexes.get(fields);
      if (keys === undefined) {
        keys = new KeyIndex();
        this.#indexes.set(fields, keys);
      }
      r = new RuleGroups(this.#rules.length, id, keys, keys.widen());
      this.#rules.push(r);
      this.#byId.set(id, r);
    }
    return r;
  }

  /** The group's slot, marked as just used; -1 when it has none. */
  find(rule: RuleGroups, key: string): number {
    const slot = this.peek(rule, key);
    if (slot >= 0) (this.#used[slot >>> CHUNK_BITS] as Uint8Array)[slot & MASK] = 1;
    return slot;
  }

  /** The group's slot without marking it used; -1 when it has none. */
  peek(rule: RuleGroups, key: string): number {
    const keys = rule.keys;
    const id = keys.id(key);
    return id < 0 ? -1 : (keys.slots[id * keys.columns + rule.column] as number);
  }

  /**
   * A new group, its counters zero and its newest bucket `bucket`. Evicts to
   * stay within the bound, which may (when every older group was used since
   * it was queued) evict this very group: its slot stays readable and
   * writable until the next create.
   */
  create(rule: RuleGroups, key: string, bucket: number, mark: number): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#slots++;
      if (slot >>> CHUNK_BITS >= this.#counts.length) this.#addChunk();
      for (let i = 0; i < this.#stride; i++) this.#details.push(undefined);
      this.#extras.push(undefined);
    } else {
      const c = slot >>> CHUNK_BITS;
      const o = slot & MASK;
      (this.#meta[c] as Float64Array).fill(0, o * this.#slotWidth, (o + 1) * this.#slotWidth);
      this.#clearRefs(slot);
    }
    const c = slot >>> CHUNK_BITS;
    const o = slot & MASK;
    (this.#meta[c] as Float64Array)[o * this.#slotWidth] = bucket;
    (this.#used[c] as Uint8Array)[o] = 0;
    (this.#mark[c] as Uint8Array)[o] = mark;
    (this.#owner[c] as Uint16Array)[o] = rule.owner;
    const keys = rule.keys;
    const id = keys.add(key);
    keys.slots[id * keys.columns + rule.column] = slot;
    (this.#keyId[c] as Int32Array)[o] = id;
    this.#enqueue(slot);
    this.#size++;
    while (this.#size > this.#max) this.#evictOne();
    return slot;
  }

  /** The chunk of counters holding `slot`; its rows start at countsBase(slot). */
  counts(slot: number): Uint32Array {
    return this.#counts[slot >>> CHUNK_BITS] as Uint32Array;
  }

  /** Where the slot's counters start: case i's ring is the BUCKETS counters from countsBase + i × BUCKETS. */
  countsBase(slot: number): number {
    return ((slot & MASK) * this.#slotWidth + this.#metaWidth) * 2;
  }

  /** The chunk of rows holding `slot`'s newest bucket and per-case numbers; its row starts at metaBase(slot). */
  meta(slot: number): Float64Array {
    return this.#meta[slot >>> CHUNK_BITS] as Float64Array;
  }

  /** Where the slot's row starts: the newest bucket, then case i's numbers from metaBase + 1 + i × perCase. */
  metaBase(slot: number): number {
    return (slot & MASK) * this.#slotWidth;
  }

  mark(slot: number): number {
    return (this.#mark[slot >>> CHUNK_BITS] as Uint8Array)[slot & MASK] as number;
  }

  setMark(slot: number, value: number): void {
    (this.#mark[slot >>> CHUNK_BITS] as Uint8Array)[slot & MASK] = value;
  }

  detail(slot: number, i: number): D | undefined {
    return this.#details[slot * this.#stride + i];
  }

  setDetail(slot: number, i: number, value: D | undefined): void {
    this.#details[slot * this.#stride + i] = value;
  }

  extra(slot: number): X | undefined {
    return this.#extras[slot];
  }

  setExtra(slot: number, value: X | undefined): void {
    this.#extras[slot] = value;
  }

  clear(): void {
    for (const keys of this.#indexes.values()) keys.clear();
    this.#slots = 0;
    this.#free.length = 0;
    this.#size = 0;
    this.#counts = [];
    this.#meta = [];
    this.#used = [];
    this.#mark = [];
    this.#owner = [];
    this.#keyId = [];
    this.#details = [];
    this.#extras = [];
    this.#queue = new Uint32Array(1024);
    this.#head = 0;
    this.#queued = 0;
  }

  #addChunk(): void {
    // One buffer, two views: a slot's row and its counters are neighbours (one page, often one line pair).
    const buffer = new ArrayBuffer(CHUNK * this.#slotWidth * 8);
    this.#counts.push(new Uint32Array(buffer));
    this.#meta.push(new Float64Array(buffer));
    this.#used.push(new Uint8Array(CHUNK));
    this.#mark.push(new Uint8Array(CHUNK));
    this.#owner.push(new Uint16Array(CHUNK));
    this.#keyId.push(new Int32Array(CHUNK));
  }

  #clearRefs(slot: number): void {
    for (let i = 0; i < this.#stride; i++) this.#details[slot * this.#stride + i] = undefined;
    this.#extras[slot] = undefined;
  }

  #enqueue(slot: number): void {
    let q = this.#queue;
    if (this.#queued === q.length) {
      // Full: double it, oldest first from index 0.
      const grown = new Uint32Array(q.length * 2);
      grown.set(q.subarray(this.#head));
      grown.set(q.subarray(0, this.#head), q.length - this.#head);
      this.#queue = q = grown;
      this.#head = 0;
    }
    q[(this.#head + this.#queued) & (q.length - 1)] = slot;
    this.#queued++;
  }

  #evictOne(): void {
    while (this.#queued > 0) {
      const q = this.#queue;
      const slot = q[this.#head] as number;
      this.#head = (this.#head + 1) & (q.length - 1);
      this.#queued--;
      const c = slot >>> CHUNK_BITS;
      const o = slot & MASK;
      const used = this.#used[c] as Uint8Array;
      if (used[o] === 1) {
        used[o] = 0;
        this.#enqueue(slot);
        continue;
      }
      const rule = this.#rules[(this.#owner[c] as Uint16Array)[o] as number] as RuleGroups;
      rule.keys.remove((this.#keyId[c] as Int32Array)[o] as number, rule.column);
      this.#clearRefs(slot);
      this.#free.push(slot);
      this.#size--;
      this.#evictions++;
      return;
    }
  }

  /** Widens every slot to `stride` cases (a rule with more cases than any before it). */
  #relayout(stride: number): void {
    const old = this.#stride;
    const oldWidth = this.#metaWidth;
    const oldSlot = this.#slotWidth;
    const counts = this.#counts;
    const meta = this.#meta;
    const details = this.#details;
    this.#stride = stride;
    this.#metaWidth = 1 + this.#perCase * stride;
    this.#slotWidth = this.#metaWidth + (stride * BUCKETS) / 2;
    this.#counts = [];
    this.#meta = [];
    this.#details = [];
    const used = this.#used;
    const mark = this.#mark;
    const owner = this.#owner;
    const keyId = this.#keyId;
    this.#used = [];
    this.#mark = [];
    this.#owner = [];
    this.#keyId = [];
    for (let c = 0; c < counts.length; c++) {
      this.#addChunk();
      (this.#used[c] as Uint8Array).set(used[c] as Uint8Array);
      (this.#mark[c] as Uint8Array).set(mark[c] as Uint8Array);
      (this.#keyId[c] as Int32Array).set(keyId[c] as Int32Array);
      (this.#owner[c] as Uint16Array).set(owner[c] as Uint16Array);
      const fromCounts = counts[c] as Uint32Array;
      const toCounts = this.#counts[c] as Uint32Array;
      const fromMeta = meta[c] as Float64Array;
      const toMeta = this.#meta[c] as Float64Array;
      for (let o = 0; o < CHUNK; o++) {
        const from = (o * oldSlot + oldWidth) * 2;
        toCounts.set(fromCounts.subarray(from, from + old * BUCKETS), this.countsBase(c * CHUNK + o));
        toMeta.set(fromMeta.subarray(o * oldSlot, o * oldSlot + oldWidth), o * this.#slotWidth);
      }
    }
    for (let slot = 0; slot < this.#slots; slot++) {
      for (let i = 0; i < stride; i++) this.#details.push(i < old ? details[slot * old + i] : undefined);
    }
  }
}
