import { BoundedMap } from './bounded-map.js';
import { GroupPool } from './group-pool.js';
import type { RuleGroups } from './group-pool.js';
import { HLL_M, hllAdd, hllCount } from './hll.js';
import { BUCKETS } from './rule.js';
import type { Rule } from './rule.js';
import { RecentSet } from './recent-set.js';
import { raiseSignalInto } from './signal-life.js';
import type { SignalLife } from './signal-life.js';
import type { CaseCounts, DetectionState, Hit, ObserveInput, Observation, RaiseInput, RaiseResult, StateStats } from './state.js';

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

/** One case's distinct values past the cap: SLICES sketches and the slice each holds. */
class Sketch {
  readonly regs = new Uint8Array(SLICES * HLL_M);
  readonly slice = new Float64Array(SLICES).fill(-1);
}

/**
 * Per case and group: the distinct values, each with the newest bucket it was
 * seen in. One value (most groups: an address that named one account) is the
 * string itself, its bucket the row's OLDEST; more are a RecentSet; past the
 * cap, sketches.
 */
type DistinctValues = string | RecentSet | Sketch;

/** Anomaly rules, per group: the average count per bucket of each case (not yet bias-corrected), and the history seen. */
interface Baseline {
  ewma: number[];
  learnedMs: number;
  /** Per case: the events a window usually holds, from the above (it changes only when the ring turns). */
  expected: number[];
}

/**
 * A group's numbers per case, in its pool row after the newest bucket: the
 * window's count (the ring's sum), which ring slots are not zero (a bit each,
 * so that sliding clears only those), and the exact distinct values kept and
 * the bucket of the oldest (Infinity: none; NaN: unknown, look at the values),
 * so that a case without a hit is answered without touching its values.
 */
const SUM = 0;
const NONZERO = 1;
const KEPT = 2;
const OLDEST = 3;
const PER_CASE = 4;
const ALL_SLOTS = (1 << SLOTS) - 1;

/** A group's mark in the pool: whether the signals may hold one for it (unknown when the group is new: a signal outlives its group's eviction). */
const NO_SIGNAL = 0;
const MAYBE_SIGNAL = 1;

/** A rule as this state keeps it: its groups in the pool, and the one observation its observes return. */
export class RuleWindows {
  /** The group observed last, and its slot: a raise follows the observe of its group. */
  lastKey: string | undefined = undefined;
  lastSlot = -1;

  constructor(
    readonly groups: RuleGroups,
    /** Valid until the next observe of the same rule (the engine reads it at once). */
    readonly out: Observation,
  ) {}
}

/**
 * Windows and signals in this process. Memory is bounded: past `maxGroups`
 * (over all rules) the least recently seen group is evicted and counted, so a
 * flood of rotating addresses costs at most `maxGroups` groups. Windows live
 * in a GroupPool (typed arrays, no object per group).
 */
export class MemoryState implements DetectionState {
  readonly kind = 'memory' as const;
  readonly #pool: GroupPool<DistinctValues, Baseline>;
  readonly #signals: BoundedMap<SignalLife>;
  readonly #cap: number;
  readonly #windows = new Map<string, RuleWindows>();

  constructor(options: MemoryStateOptions = {}) {
    this.#pool = new GroupPool(options.maxGroups ?? 200_000, PER_CASE);
    this.#signals = new BoundedMap(options.maxSignals ?? 50_000);
    this.#cap = options.distinctCap ?? 1000;
  }

  /** The rule's windows: look it up once, then observe through observeHits without a lookup by rule. */
  windows(rule: Rule): RuleWindows {
    let w = this.#windows.get(rule.id);
    if (w === undefined) {
      const out: Observation = { counts: rule.cases.map(() => ({ count: 0, distinct: 0, expected: Number.NaN, learnedMs: 0 })), signalAlive: false };
      w = new RuleWindows(this.#pool.rule(rule.id, rule.cases.length, rule.groupBy.join('\u001f')), out);
      this.#windows.set(rule.id, w);
    }
    return w;
  }

  observe(input: ObserveInput): Observation {
    return this.observeHits(input.rule, this.windows(input.rule), input.groupKey, input.now, input.hits, input.hits.length);
  }

  /** observe() for the engine: the rule's windows already looked up, the first `hitCount` of `hits` counted. */
  observeHits(rule: Rule, windows: RuleWindows, groupKey: string, now: number, hits: readonly Hit[], hitCount: number): Observation {
    const pool = this.#pool;
    const cases = rule.cases.length;
    const cur = Math.floor(now / rule.bucketMs);
    let slot = pool.find(windows.groups, groupKey);
    let baseline: Baseline | undefined;
    if (slot < 0) {
      slot = pool.create(windows.groups, groupKey, cur, MAYBE_SIGNAL);
      const row = pool.meta(slot);
      const base = pool.metaBase(slot) + 1;
      for (let i = 0; i < cases; i++) row[base + i * PER_CASE + OLDEST] = Number.POSITIVE_INFINITY;
      if (rule.anomaly) {
        baseline = { ewma: zeros(cases), learnedMs: 0, expected: zeros(cases) };
        for (let i = 0; i < cases; i++) baseline.expected[i] = expected(baseline, rule, i);
        pool.setExtra(slot, baseline);
      }
    } else if (rule.anomaly) {
      baseline = pool.extra(slot);
    }
    const meta = pool.meta(slot);
    const m = pool.metaBase(slot);
    const counts = pool.counts(slot);
    const c0 = pool.countsBase(slot);
    const last = meta[m] as number;
    // Time that runs backwards (another instance's clock, a replay) counts in the newest bucket.
    const at = Math.max(cur, last);
    if (at > last) this.#advance(rule, baseline, meta, m, counts, c0, last, at);
    windows.lastKey = groupKey;
    windows.lastSlot = slot;
    // Most groups never had a signal: the mark spares them a lookup.
    let alive = false;
    if (pool.mark(slot) !== NO_SIGNAL) {
      const signal = this.#signals.peek(rule.id, groupKey);
      if (signal === undefined) pool.setMark(slot, NO_SIGNAL);
      else alive = now < signal.expiresAt;
    }
    const ring = at % SLOTS;
    for (let h = 0; h < hitCount; h++) {
      const hit = hits[h] as Hit;
      if (hit.whileSignal && !alive) continue;
      const i = hit.caseIndex;
      const k = m + 1 + i * PER_CASE;
      counts[c0 + i * SLOTS + ring] = (counts[c0 + i * SLOTS + ring] as number) + 1;
      meta[k + SUM] = (meta[k + SUM] as number) + 1;
      meta[k + NONZERO] = (meta[k + NONZERO] as number) | (1 << ring);
      if (hit.value !== undefined) this.#addValue(slot, i, hit.value, at, meta, k);
    }
    const start = at - SLOTS + 1;
    const out = windows.out;
    out.signalAlive = alive;
    for (let i = 0; i < cases; i++) {
      const c = out.counts[i] as CaseCounts;
      const k = m + 1 + i * PER_CASE;
      c.count = meta[k + SUM] as number;
      // Nothing left the window since the values were counted (NaN, unknown, fails the test): the count stands.
      c.distinct = rule.distinct === undefined ? 0 : (meta[k + OLDEST] as number) >= start ? (meta[k + KEPT] as number) : this.#distinct(slot, i, start, meta, k);
      c.expected = baseline ? (baseline.expected[i] as number) : Number.NaN;
      c.learnedMs = baseline ? baseline.learnedMs : 0;
    }
    return out;
  }

  raise(input: RaiseInput): RaiseResult {
    const result: RaiseResult = { id: '', status: 'quiet', severity: 0, firstSeen: 0, lastSeen: 0, expiresAt: 0, hits: 0, respond: false };
    this.raiseInto(input, result);
    return result;
  }

  /** raise(), writing the result into `into` (the engine reuses one: a raise per matching event). */
  raiseInto(input: RaiseInput, into: RaiseResult): void {
    const current = this.#signals.get(input.ruleId, input.groupKey);
    const life = raiseSignalInto(current, input, into);
    // A live signal is updated in place (and get() marked it used): only a new one is stored.
    if (life !== current) this.#signals.set(input.ruleId, input.groupKey, life);
    const w = this.#windows.get(input.ruleId);
    if (w !== undefined) {
      const slot = w.lastKey === input.groupKey ? w.lastSlot : this.#pool.peek(w.groups, input.groupKey);
      if (slot >= 0) this.#pool.setMark(slot, MAYBE_SIGNAL);
    }
  }

  sample(rule: Rule, _key: string, groupKey: string, caseIndex: number, limit: number): string[] {
    if (rule.distinct === undefined) return [];
    const slot = this.#pool.peek(this.windows(rule).groups, groupKey);
    const values = slot < 0 ? undefined : this.#pool.detail(slot, caseIndex);
    if (typeof values === 'string') return [values].slice(-limit);
    if (!(values instanceof RecentSet)) return [];
    return values.newest(limit);
  }

  stats(): StateStats {
    return { groups: this.#pool.size, evictions: this.#pool.evictions };
  }

  close(): Promise<void> {
    this.#pool.clear();
    this.#signals.clear();
    return Promise.resolve();
  }

  /** Moves the ring to bucket `to`: folds finished buckets into the anomaly baseline, then clears the reused slots. */
  #advance(rule: Rule, baseline: Baseline | undefined, meta: Float64Array, m: number, counts: Uint32Array, c0: number, last: number, to: number): void {
    const cases = rule.cases.length;
    const gap = to - last;
    if (baseline && rule.anomaly) {
      const alpha = Math.min(1, rule.bucketMs / rule.anomaly.baselineMs);
      const decay = (1 - alpha) ** (gap - 1);
      for (let i = 0; i < cases; i++) {
        const finished = counts[c0 + i * SLOTS + (last % SLOTS)] as number;
        baseline.ewma[i] = ((baseline.ewma[i] as number) * (1 - alpha) + alpha * finished) * decay;
      }
      baseline.learnedMs += gap * rule.bucketMs;
      for (let i = 0; i < cases; i++) baseline.expected[i] = expected(baseline, rule, i);
    }
    // The ring slots of buckets last+1 … to (all of them after a window's silence) are reused: clear those not already zero.
    const span = Math.min(to - last, SLOTS);
    const first = (last + 1) % SLOTS;
    const run = span === SLOTS ? ALL_SLOTS : (1 << span) - 1;
    // The run of `span` bits rotated to start at bit `first` (int32 arithmetic: SLOTS < 31).
    const cleared = ((run << first) | (run >>> (SLOTS - first))) & ALL_SLOTS;
    for (let i = 0; i < cases; i++) {
      const k = m + 1 + i * PER_CASE;
      const nonzero = meta[k + NONZERO] as number;
      let bits = nonzero & cleared;
      if (bits === 0) continue;
      const row = c0 + i * SLOTS;
      let sum = meta[k + SUM] as number;
      while (bits !== 0) {
        const low = bits & -bits;
        const at = row + 31 - Math.clz32(low);
        sum -= counts[at] as number;
        counts[at] = 0;
        bits ^= low;
      }
      meta[k + SUM] = sum;
      meta[k + NONZERO] = nonzero & ~cleared;
    }
    meta[m] = to;
  }

  #addValue(slot: number, i: number, value: string, bucket: number, meta: Float64Array, k: number): void {
    const pool = this.#pool;
    let values = pool.detail(slot, i);
    if (values instanceof Sketch) {
      sketchAdd(values, value, bucket);
      return;
    }
    if (values === undefined || values === value) {
      // None yet, or the one value seen again: a string and its bucket.
      if (values === undefined) pool.setDetail(slot, i, value);
      meta[k + KEPT] = 1;
      meta[k + OLDEST] = bucket;
      if (this.#cap < 1) this.#toSketch(slot, i, new RecentSet(value, bucket), meta, k);
      return;
    }
    if (typeof values === 'string') pool.setDetail(slot, i, (values = new RecentSet(values, meta[k + OLDEST] as number)));
    values.add(value, bucket);
    if (values.size > this.#cap) {
      this.#toSketch(slot, i, values, meta, k);
      return;
    }
    meta[k + KEPT] = values.size;
    meta[k + OLDEST] = values.oldest;
  }

  #toSketch(slot: number, i: number, values: RecentSet, meta: Float64Array, k: number): void {
    const created = new Sketch();
    for (const [v, b] of values.entries()) sketchAdd(created, v, b);
    this.#pool.setDetail(slot, i, created);
    meta[k + OLDEST] = Number.NaN;
  }

  #distinct(slot: number, i: number, start: number, meta: Float64Array, k: number): number {
    const values = this.#pool.detail(slot, i);
    if (values === undefined) return 0;
    if (typeof values === 'string') {
      // Its bucket (OLDEST) left the window.
      this.#pool.setDetail(slot, i, undefined);
      meta[k + KEPT] = 0;
      meta[k + OLDEST] = Number.POSITIVE_INFINITY;
      return 0;
    }
    if (values instanceof RecentSet) {
      const kept = values.prune(start);
      meta[k + KEPT] = kept;
      meta[k + OLDEST] = values.oldest;
      return kept;
    }
    // A slice counts when any of its buckets is in the window: past the cap the window's edge is a slice wide.
    const offsets: number[] = [];
    for (let s = 0; s < SLICES; s++) {
      const slice = values.slice[s] ?? -1;
      if (slice >= 0 && (slice + 1) * SLICE - 1 >= start) offsets.push(s * HLL_M);
    }
    return offsets.length === 0 ? 0 : hllCount(values.regs, offsets);
  }
}

function sketchAdd(sketch: Sketch, value: string, bucket: number): void {
  const slice = Math.floor(bucket / SLICE);
  const at = slice % SLICES;
  if (sketch.slice[at] !== slice) {
    sketch.regs.fill(0, at * HLL_M, (at + 1) * HLL_M);
    sketch.slice[at] = slice;
  }
  hllAdd(sketch.regs, at * HLL_M, value);
}

function expected(baseline: Baseline, rule: Rule, i: number): number {
  if (!rule.anomaly) return Number.NaN;
  const alpha = Math.min(1, rule.bucketMs / rule.anomaly.baselineMs);
  const steps = baseline.learnedMs / rule.bucketMs;
  // Bias correction (as in Adam): an average that started at zero is scaled up until it has seen enough history.
  const correction = steps === 0 ? 0 : 1 - (1 - alpha) ** steps;
  const perBucket = correction === 0 ? 0 : (baseline.ewma[i] ?? 0) / correction;
  return perBucket * BUCKETS;
}

/** Exactly n zeros. */
function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}
