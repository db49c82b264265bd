import type { AccountEvent } from '../core/event.js';
import type { Clock } from '../kernel/clock.js';
import { BoundedMap } from './bounded-map.js';
import { randomId } from '../kernel/random.js';
import type { Random } from '../kernel/random.js';
import { MemoryState } from './memory-state.js';
import type { RuleWindows } from './memory-state.js';
import { fieldReader } from './rule.js';
import type { FieldReader, Rule, RuleCase, RuleResponse } from './rule.js';
import { SEVERITIES, severityRank } from './rule-schema.js';
import type { Signal, SignalChange } from './signal.js';
import { stateKey } from './state.js';
import type { CaseCounts, DetectionState, Hit, ObserveInput, Observation, RaiseInput, RaiseResult } from './state.js';

export interface EngineOptions {
  rules: readonly Rule[];
  state: DetectionState;
  clock: Clock;
  random: Random;
  /** A live signal is re-reported (new counts, evidence) at most this often. Default 10 s. */
  updateEveryMs?: number;
  /** Events kept as evidence per signal (the newest). Default 10. */
  evidenceEvents?: number;
  /** Distinct values kept as evidence. Default 20. */
  evidenceValues?: number;
}

/** A response a signal asks for, with the address it is about (the group's, or the event's). */
export interface PlannedResponse {
  rule: Rule;
  signal: Signal;
  response: RuleResponse;
  ip: string | undefined;
  /** What happened to the signal when it asked for this response. */
  kind: SignalChange['kind'];
}

export interface Detected {
  changes: SignalChange[];
  responses: PlannedResponse[];
}

const NOTHING: Detected = Object.freeze({ changes: [], responses: [] });
/** What a raise that changed nothing outward (a quiet refresh, no response due) adds: nothing. */
const QUIET: { change: SignalChange | undefined; responses: PlannedResponse[] } = Object.freeze({ change: undefined, responses: Object.freeze([]) as unknown as PlannedResponse[] });
const SEP = '\u001f';

/** A rule made ready to run once, so that an event costs no lookups by name and no allocations. */
interface RulePlan {
  rule: Rule;
  groupBy: readonly FieldReader[];
  distinct: FieldReader | undefined;
  /** observeSync's hits, one per case, refilled for every event (the memory state reads them at once). */
  hits: Hit[];
  /** The rule's windows in a memory state (undefined for other states). */
  windows: RuleWindows | undefined;
}

/** A rule for events of one name: the cases that can hold for them, in order, each with what is left to check. */
interface NamedPlan {
  plan: RulePlan;
  cases: readonly RuleCase[];
  checks: readonly (true | ((event: AccountEvent) => boolean))[];
}

/**
 * Turns events into signals. Incremental: rules are indexed by the events they
 * read, so an event touches only those, and each touch is one state update of
 * one group. The engine itself holds only evidence samples of live signals;
 * windows and signal lives are in the state (memory or Redis).
 */
export class DetectionEngine {
  readonly #byName = new Map<string, NamedPlan[]>();
  readonly #memory: MemoryState | undefined;
  readonly #rules: readonly Rule[];
  readonly #state: DetectionState;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #updateEveryMs: number;
  readonly #evidenceEvents: number;
  readonly #evidenceValues: number;
  /** Signal id → newest matching events, bounded like the state's live signals. */
  readonly #evidence = new BoundedMap<AccountEvent[]>(10_000);
  /** Rules an operator switched off for this instance (the console's rule switches): they count nothing and raise nothing. */
  readonly #off = new Set<string>();
  /** The id the next new signal gets: drawn once and kept until a signal takes it, since most raises refresh a live one. */
  #nextId: string | undefined;
  /** observeSync's raise, refilled for every match (the memory state reads it at once). */
  readonly #raise: RaiseInput = { key: '', ruleId: '', groupKey: '', now: 0, severity: 0, keepAliveMs: 0, maxDurationMs: 0, newId: '', caseIndex: 0, hasResponses: false, respondForMs: 0, updateEveryMs: 0 };
  /** …and its result (#finish copies what it keeps). */
  readonly #life: RaiseResult = { id: '', status: 'quiet', severity: 0, firstSeen: 0, lastSeen: 0, expiresAt: 0, hits: 0, respond: false };

  constructor(options: EngineOptions) {
    this.#rules = options.rules;
    this.#state = options.state;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#updateEveryMs = options.updateEveryMs ?? 10_000;
    this.#evidenceEvents = options.evidenceEvents ?? 10;
    this.#evidenceValues = options.evidenceValues ?? 20;
    this.#memory = options.state instanceof MemoryState ? options.state : undefined;
    for (const rule of options.rules) {
      const plan: RulePlan = {
        rule,
        groupBy: rule.groupBy.map(fieldReader),
        distinct: rule.distinct === undefined ? undefined : fieldReader(rule.distinct),
        hits: rule.cases.map((c) => ({ caseIndex: c.index, value: undefined, whileSignal: c.whileSignal })),
        windows: this.#memory?.windows(rule),
      };
      for (const name of rule.events) {
        const cases: RuleCase[] = [];
        const checks: (true | ((event: AccountEvent) => boolean))[] = [];
        for (const c of rule.cases) {
          const check = c.whenNamed(name);
          if (check === false) continue;
          cases.push(c);
          checks.push(check);
        }
        // A rule none of whose cases reads this name never counts its events.
        if (cases.length === 0) continue;
        const list = this.#byName.get(name) ?? [];
        list.push({ plan, cases, checks });
        this.#byName.set(name, list);
      }
    }
  }

  get rules(): readonly Rule[] {
    return this.#rules;
  }

  /** Switches a loaded rule on or off for this instance (the console's rule switches); false when no such rule is loaded. */
  switchRule(ruleId: string, enabled: boolean): boolean {
    if (!this.#rules.some((r) => r.id === ruleId)) return false;
    if (enabled) this.#off.delete(ruleId);
    else this.#off.add(ruleId);
    return true;
  }

  /** Whether a rule runs here: enabled in its file and not switched off. */
  runs(ruleId: string): boolean {
    return !this.#off.has(ruleId) && this.#rules.some((r) => r.id === ruleId && r.enabled);
  }

  get state(): DetectionState {
    return this.#state;
  }

  /** Runs one event through the rules that read it. `now` defaults to the clock; replays pass the event's own time. */
  async observe(event: AccountEvent, now: number = this.#clock.now()): Promise<Detected> {
    if (this.#state.kind === 'memory') return this.observeSync(event, now);
    const plans = this.#byName.get(event.name);
    if (plans === undefined) return NOTHING;
    // The rules' groups are independent: their round trips to Redis overlap (and pipeline).
    const found = await Promise.all(
      plans.map(async (named) => {
        const rule = named.plan.rule;
        if (this.#off.size > 0 && this.#off.has(rule.id)) return undefined;
        const p = this.#prepare(named, event, now);
        if (p === undefined) return undefined;
        const obs = await this.#state.observe(p);
        const first = firstCase(rule, obs);
        if (first === undefined) return undefined;
        const matched = first.grades ? answeringCase(rule, obs, first.index) : first;
        if (matched === undefined) return undefined;
        const graded = gradingCase(first, matched);
        const life = await this.#state.raise(this.#fillRaise({ ...this.#raise }, rule, matched, graded, p.key, p.groupKey, now));
        const values = this.#wantsDetail(life) && rule.distinct !== undefined ? await this.#state.sample(rule, p.key, p.groupKey, matched.index, this.#evidenceValues) : [];
        return this.#finish(rule, matched, graded, event, p.groupKey, obs, life, values);
      }),
    );
    let out: Detected | undefined;
    for (const f of found) if (f !== undefined) out = this.#collect(out, f);
    return out ?? NOTHING;
  }

  /**
   * The same, synchronously, for a memory state: no promise per rule, which is
   * most of the cost at hundreds of thousands of events a second.
   */
  observeSync(event: AccountEvent, now: number = this.#clock.now()): Detected {
    const state = this.#state;
    if (state.kind !== 'memory') throw new Error('observeSync needs a memory state');
    const plans = this.#byName.get(event.name);
    if (plans === undefined) return NOTHING;
    const memory = this.#memory;
    let out: Detected | undefined;
    for (let r = 0; r < plans.length; r++) {
      const named = plans[r] as NamedPlan;
      const plan = named.plan;
      if (this.#off.size > 0 && this.#off.has(plan.rule.id)) continue;
      const groupKey = groupKeyOf(plan, event);
      if (groupKey === undefined) continue;
      const n = fillHits(named, event);
      if (n === 0) continue;
      const rule = plan.rule;
      const obs =
        memory !== undefined && plan.windows !== undefined
          ? memory.observeHits(rule, plan.windows, groupKey, now, plan.hits, n)
          : (state.observe({ rule, key: '', groupKey, now, hits: plan.hits.slice(0, n).map((h) => ({ ...h })) }) as Observation);
      const first = firstCase(rule, obs);
      if (first === undefined) continue;
      const matched = first.grades ? answeringCase(rule, obs, first.index) : first;
      if (matched === undefined) continue;
      const graded = gradingCase(first, matched);
      const input = this.#fillRaise(this.#raise, rule, matched, graded, '', groupKey, now);
      let life: RaiseResult;
      if (memory !== undefined) memory.raiseInto(input, (life = this.#life));
      else life = state.raise({ ...input }) as RaiseResult;
      const values = this.#wantsDetail(life) && rule.distinct !== undefined ? (state.sample(rule, '', groupKey, matched.index, this.#evidenceValues) as string[]) : [];
      out = this.#collect(out, this.#finish(rule, matched, graded, event, groupKey, obs, life, values));
    }
    return out ?? NOTHING;
  }

  #collect(out: Detected | undefined, found: { change: SignalChange | undefined; responses: PlannedResponse[] }): Detected | undefined {
    if (found.change === undefined && found.responses.length === 0) return out;
    out ??= { changes: [], responses: [] };
    if (found.change) out.changes.push(found.change);
    out.responses.push(...found.responses);
    return out;
  }

  /** The group and the cases an event counts for; undefined when it counts for none. */
  #prepare(named: NamedPlan, event: AccountEvent, now: number): (ObserveInput & { groupKey: string }) | undefined {
    const plan = named.plan;
    const groupKey = groupKeyOf(plan, event);
    if (groupKey === undefined) return undefined;
    const n = fillHits(named, event);
    if (n === 0) return undefined;
    // Copies: the plan's hits are refilled by the next event while this one waits for its state.
    const hits: Hit[] = plan.hits.slice(0, n).map((h) => ({ ...h }));
    const rule = plan.rule;
    // Only Redis needs the compound key; building it for memory would cost a string per event.
    return { rule, key: this.#state.kind === 'redis' ? stateKey(rule.id, groupKey) : '', groupKey, now, hits };
  }

  /**
   * Fills `input` for raising the group's signal for the case that answers
   * (`matched`: its responses and their timer) at the severity of `graded`
   * (the same case, unless a grading case held first and ranks higher); returns it.
   */
  #fillRaise(input: RaiseInput, rule: Rule, matched: RuleCase, graded: RuleCase, key: string, groupKey: string, now: number): RaiseInput {
    input.key = key;
    input.ruleId = rule.id;
    input.groupKey = groupKey;
    input.now = now;
    input.severity = severityRank(graded.severity);
    input.keepAliveMs = rule.keepAliveMs;
    input.maxDurationMs = rule.maxDurationMs;
    input.newId = this.#nextId ??= randomId(this.#random);
    input.caseIndex = matched.index;
    input.hasResponses = matched.responses.length > 0;
    input.respondForMs = matched.respondForMs;
    input.updateEveryMs = this.#updateEveryMs;
    return input;
  }

  #wantsDetail(life: RaiseResult): boolean {
    return life.status !== 'quiet' || life.respond;
  }

  #finish(
    rule: Rule,
    matched: RuleCase,
    graded: RuleCase,
    event: AccountEvent,
    groupKey: string,
    obs: Observation,
    life: RaiseResult,
    values: string[],
  ): { change: SignalChange | undefined; responses: PlannedResponse[] } {
    if (life.id === this.#nextId) this.#nextId = undefined;
    const events = this.#keepEvidence(life, event);
    if (!this.#wantsDetail(life)) return QUIET;
    const group: Record<string, string> = {};
    if (groupKey !== '') {
      const parts = groupKey.split(SEP);
      rule.groupBy.forEach((f, i) => (group[f] = parts[i] ?? ''));
    }
    const counts: Signal['evidence']['counts'] = {};
    rule.cases.forEach((c, i) => {
      const n = obs.counts[i] as CaseCounts;
      counts[c.name] = Number.isNaN(n.expected) ? { count: n.count, distinct: n.distinct } : { count: n.count, distinct: n.distinct, expected: Math.round(n.expected * 100) / 100 };
    });
    const signal: Signal = {
      id: life.id,
      ruleId: rule.id,
      ruleName: rule.name,
      severity: SEVERITIES[life.severity] ?? graded.severity,
      group,
      case: graded.name,
      firstSeen: life.firstSeen,
      lastSeen: life.lastSeen,
      expiresAt: life.expiresAt,
      hits: life.hits,
      evidence: { counts, values, events: [...events] },
    };
    const ip = group['network.client.ip'] ?? event['network.client.ip'];
    return {
      change: life.status === 'quiet' ? undefined : { kind: life.status, signal },
      responses: life.respond ? matched.responses.map((response) => ({ rule, signal, response, ip, kind: life.status === 'quiet' ? 'updated' : life.status })) : [],
    };
  }

  #keepEvidence(life: RaiseResult, event: AccountEvent): AccountEvent[] {
    let list = this.#evidence.get('', life.id);
    if (list === undefined) {
      list = [];
      // Bounded: the least recently raised signals' samples go first (they live on in the store).
      this.#evidence.set('', life.id, list);
    }
    list.push(event);
    if (list.length > this.#evidenceEvents) list.shift();
    return list;
  }
}

/** The group-by values joined by SEP ('' for an app-wide rule); undefined when the event lacks one (Datadog drops it too). */
function groupKeyOf(plan: RulePlan, event: AccountEvent): string | undefined {
  const readers = plan.groupBy;
  let groupKey = '';
  for (let i = 0; i < readers.length; i++) {
    const v = (readers[i] as FieldReader)(event);
    if (v === undefined || v === '') return undefined;
    const text = typeof v === 'string' ? v : String(v);
    groupKey = i === 0 ? text : `${groupKey}${SEP}${text}`;
  }
  return groupKey;
}

/** Fills the rule's hits with the cases the event counts for, in order; returns how many. */
function fillHits(named: NamedPlan, event: AccountEvent): number {
  const plan = named.plan;
  const cases = named.cases;
  const checks = named.checks;
  let n = 0;
  let value: string | undefined;
  let read = false;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i] as RuleCase;
    const check = checks[i] as true | ((event: AccountEvent) => boolean);
    if (check !== true && !check(event)) continue;
    if (!read && plan.distinct !== undefined) {
      const dv = plan.distinct(event);
      value = dv === undefined || typeof dv === 'string' ? dv : String(dv);
      read = true;
    }
    const hit = plan.hits[n++] as Hit;
    hit.caseIndex = c.index;
    hit.value = value;
    hit.whileSignal = c.whileSignal;
  }
  return n;
}

/** The first case that holds for a group's counts, in order: it names the signal and gives its severity. */
function firstCase(rule: Rule, obs: Observation): RuleCase | undefined {
  for (const c of rule.cases) if (caseHolds(rule, c, obs)) return c;
  return undefined;
}

/**
 * When the first case that holds only grades (it reads usr.exists in a rule
 * that answers visibly), the first later case that holds and does not grade:
 * it raises the signal and answers. None: nothing is raised, so whether an
 * account exists decides neither when a signal lives nor what the attacker sees.
 */
function answeringCase(rule: Rule, obs: Observation, after: number): RuleCase | undefined {
  const cases = rule.cases;
  for (let i = after + 1; i < cases.length; i++) {
    const c = cases[i] as RuleCase;
    if (!c.grades && caseHolds(rule, c, obs)) return c;
  }
  return undefined;
}

/** The case whose severity and name the signal takes: the grading case that held first when it ranks above the answering one. */
function gradingCase(first: RuleCase, matched: RuleCase): RuleCase {
  return first !== matched && severityRank(first.severity) > severityRank(matched.severity) ? first : matched;
}

/** Whether a case holds for a group's counts: thresholds are "more than", as in Datadog's rules. */
export function caseHolds(rule: Rule, c: RuleCase, obs: Observation): boolean {
  if (c.whileSignal && !obs.signalAlive) return false;
  const n = obs.counts[c.index];
  if (n === undefined) return false;
  if (c.count !== undefined && !(n.count > c.count)) return false;
  if (c.distinct !== undefined && !(n.distinct > c.distinct)) return false;
  if (rule.method === 'anomaly' && rule.anomaly) {
    const a = rule.anomaly;
    if (n.learnedMs < a.learningMs) return false;
    if (!(n.count > a.minEvents && n.count > a.factor * n.expected)) return false;
  }
  return true;
}
