import { BoundedMap } from './bounded-map.js';
import { HLL_M, hllAdd, hllCount } from './hll.js';
import { BUCKETS } from './rule.js';
import type { Rule } from './rule.js';
import { RecentSet } from './recent-set.js';
import { raiseSignal } from './signal-life.js';
import type { SignalLife } from './signal-life.js';
import type { CaseCounts, DetectionState, ObserveInput, Observation, RaiseInput, RaiseResult, StateStats } from './state.js';

/** Slots in a group's ring: the window is the newest BUCKETS buckets, the one being filled included. */
const SLOTS = BUCKETS;
/** Distinct values past the cap go to HyperLogLog sketches, one per slice of SLICE buckets. */
const SLICE = 4;
const SLICES = Math.ceil(SLOTS / SLICE) + 1;

export interface MemoryStateOptions {
  /** Live groups across all rules; past it the least recently seen is evicted. */
  maxGroups?: number;
  /** Live signals; past it the least recently raised is forgotten (it stays in the store). */
  maxSignals?: number;
  /** Distinct values kept exactly per case and group before switching to HyperLogLog. */
  distinctCap?: number;
}

interface Group {
  /** The newest bucket written. */
  last: number;
  /** counts[caseIndex * SLOTS + bucket % SLOTS] */
  counts: number[];
  /** Per case: the sum of its ring, i.e. the window's count (kept as the ring turns, so reading it is O(1)). */
  sums: number[];
  /** Per case: value → newest bucket it was seen in, oldest first (a Map keeps insertion order). */
  values: (RecentSet | undefined)[] | undefined;
  /** Per case, once past the cap: SLICES sketches and the slice each holds. */
  sketches: ({ regs: Uint8Array; slice: Float64Array } | undefined)[] | undefined;
  /** Anomaly rules, per case: the average count per bucket (not yet bias-corrected). */
  ewma: number[] | undefined;
  learnedMs: number;
}

/**
 * Windows and signals in this process. Memory is bounded: past `maxGroups`
 * (over all rules) the least recently seen group is evicted and counted, so a
 * flood of rotating addresses costs at most `maxGroups` groups.
 */
export class MemoryState implements DetectionState {
  readonly kind = 'memory' as const;
  readonly #groups: BoundedMap<Group>;
  readonly #signals: BoundedMap<SignalLife>;
  readonly #cap: number;
  readonly #scratch = new Map<string, Observation>();

  constructor(options: MemoryStateOptions = {}) {
    this.#groups = new BoundedMap(options.maxGroups ?? 200_000);
    this.#signals = new BoundedMap(options.maxSignals ?? 50_000);
    this.#cap = options.distinctCap ?? 1000;
  }

  observe(input: ObserveInput): Observation {
    const { rule, groupKey, now } = input;
    const cases = rule.cases.length;
    const cur = Math.floor(now / rule.bucketMs);
    let g = this.#groups.get(rule.id, groupKey);
    if (g === undefined) {
      // Plain arrays of small integers: far cheaper to allocate than typed arrays, and a flood allocates one per new address.
      g = { last: cur, counts: zeros(cases * SLOTS), sums: zeros(cases), values: undefined, sketches: undefined, ewma: rule.anomaly ? zeros(cases) : undefined, learnedMs: 0 };
      this.#groups.set(rule.id, groupKey, g);
    }
    // Time that runs backwards (another instance's clock, a replay) counts in the newest bucket.
    const at = Math.max(cur, g.last);
    if (at > g.last) this.#advance(g, rule, at);
    const signal = this.#signals.peek(rule.id, groupKey);
    const alive = signal !== undefined && now < signal.expiresAt;
    const slot = at % SLOTS;
    for (const hit of input.hits) {
      if (hit.whileSignal && !alive) continue;
      const i = hit.caseIndex;
      g.counts[i * SLOTS + slot] = (g.counts[i * SLOTS + slot] ?? 0) + 1;
      g.sums[i] = (g.sums[i] ?? 0) + 1;
      if (hit.value !== undefined) this.#addValue(g, cases, i, hit.value, at);
    }
    const start = at - SLOTS + 1;
    // One observation per rule, reused: valid until the next observe of the same rule (the engine reads it at once).
    let out = this.#scratch.get(rule.id);
    if (out === undefined) {
      out = { counts: rule.cases.map(() => ({ count: 0, distinct: 0, expected: Number.NaN, learnedMs: 0 })), signalAlive: false };
      this.#scratch.set(rule.id, out);
    }
    out.signalAlive = alive;
    for (let i = 0; i < cases; i++) {
      const c = out.counts[i] as CaseCounts;
      c.count = g.sums[i] ?? 0;
      c.distinct = rule.distinct === undefined ? 0 : this.#distinct(g, i, start);
      c.expected = g.ewma ? this.#expected(g, rule, i) : Number.NaN;
      c.learnedMs = g.learnedMs;
    }
    return out;
  }

  raise(input: RaiseInput): RaiseResult {
    const { life, result } = raiseSignal(this.#signals.get(input.ruleId, input.groupKey), input);
    this.#signals.set(input.ruleId, input.groupKey, life);
    return result;
  }

  sample(rule: Rule, _key: string, groupKey: string, caseIndex: number, limit: number): string[] {
    const values = this.#groups.peek(rule.id, groupKey)?.values?.[caseIndex];
    if (!values || rule.distinct === undefined) return [];
    return values.newest(limit);
  }

  stats(): StateStats {
    return { groups: this.#groups.size, evictions: this.#groups.evictions };
  }

  close(): Promise<void> {
    this.#groups.clear();
    this.#signals.clear();
    return Promise.resolve();
  }

  /** Moves the ring to bucket `to`: folds finished buckets into the anomaly baseline, then clears the reused slots. */
  #advance(g: Group, rule: Rule, to: number): void {
    const cases = rule.cases.length;
    const gap = to - g.last;
    if (g.ewma && rule.anomaly) {
      const alpha = Math.min(1, rule.bucketMs / rule.anomaly.baselineMs);
      const decay = (1 - alpha) ** (gap - 1);
      for (let i = 0; i < cases; i++) {
        const finished = g.counts[i * SLOTS + (g.last % SLOTS)] ?? 0;
        g.ewma[i] = ((g.ewma[i] ?? 0) * (1 - alpha) + alpha * finished) * decay;
      }
      g.learnedMs += gap * rule.bucketMs;
    }
    for (let b = g.last + 1; b <= to && b <= g.last + SLOTS; b++) {
      for (let i = 0; i < cases; i++) {
        const at = i * SLOTS + (b % SLOTS);
        g.sums[i] = (g.sums[i] ?? 0) - (g.counts[at] ?? 0);
        g.counts[at] = 0;
      }
    }
    g.last = to;
  }

  #addValue(g: Group, cases: number, i: number, value: string, bucket: number): void {
    const sketch = g.sketches?.[i];
    if (sketch) {
      this.#sketchAdd(sketch, value, bucket);
      return;
    }
    g.values ??= new Array<RecentSet | undefined>(cases);
    let values = g.values[i];
    if (!values) values = g.values[i] = new RecentSet(value, bucket);
    else values.add(value, bucket);
    if (values.size > this.#cap) {
      const created = { regs: new Uint8Array(SLICES * HLL_M), slice: new Float64Array(SLICES).fill(-1) };
      for (const [v, b] of values.entries()) this.#sketchAdd(created, v, b);
      g.sketches ??= new Array<{ regs: Uint8Array; slice: Float64Array } | undefined>(cases);
      g.sketches[i] = created;
      g.values[i] = undefined;
    }
  }

  #sketchAdd(sketch: { regs: Uint8Array; slice: Float64Array }, value: string, bucket: number): void {
    const slice = Math.floor(bucket / SLICE);
    const at = slice % SLICES;
    if (sketch.slice[at] !== slice) {
      sketch.regs.fill(0, at * HLL_M, (at + 1) * HLL_M);
      sketch.slice[at] = slice;
    }
    hllAdd(sketch.regs, at * HLL_M, value);
  }

  #distinct(g: Group, i: number, start: number): number {
    const sketch = g.sketches?.[i];
    if (sketch) {
      // A slice counts when any of its buckets is in the window: past the cap the window's edge is a slice wide.
      const offsets: number[] = [];
      for (let s = 0; s < SLICES; s++) {
        const slice = sketch.slice[s] ?? -1;
        if (slice >= 0 && (slice + 1) * SLICE - 1 >= start) offsets.push(s * HLL_M);
      }
      return offsets.length === 0 ? 0 : hllCount(sketch.regs, offsets);
    }
    const values = g.values?.[i];
    if (!values) return 0;
    return values.prune(start);
  }

  #expected(g: Group, rule: Rule, i: number): number {
    if (!g.ewma || !rule.anomaly) return Number.NaN;
    const alpha = Math.min(1, rule.bucketMs / rule.anomaly.baselineMs);
    const steps = g.learnedMs / rule.bucketMs;
    // Bias correction (as in Adam): an average that started at zero is scaled up until it has seen enough history.
    const correction = steps === 0 ? 0 : 1 - (1 - alpha) ** steps;
    const perBucket = correction === 0 ? 0 : (g.ewma[i] ?? 0) / correction;
    return perBucket * BUCKETS;
  }
}

/** Exactly n zeros (push-grown arrays keep up to 50 % spare capacity, per group). */
function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}
