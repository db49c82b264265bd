import type { AccountEvent } from '../core/event.js';
import type { Clock } from '../kernel/clock.js';
import { randomId } from '../kernel/random.js';
import type { Random } from '../kernel/random.js';
import { fieldValue } from './rule.js';
import type { Rule, RuleCase, RuleResponse } from './rule.js';
import { SEVERITIES, severityRank } from './rule-schema.js';
import type { Signal, SignalChange } from './signal.js';
import { stateKey } from './state.js';
import type { CaseCounts, DetectionState, Hit, Observation, RaiseResult } from './state.js';

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
}

export interface Detected {
  changes: SignalChange[];
  responses: PlannedResponse[];
}

const NOTHING: Detected = Object.freeze({ changes: [], responses: [] }) as Detected;
const SEP = '\u001f';

/**
 * Turns events into signals. Incremental: rules are indexed by the events they
 * read, so an event touches only those, and each touch is one state update of
 * one group. The engine itself holds only evidence samples of live signals;
 * windows and signal lives are in the state (memory or Redis).
 */
export class DetectionEngine {
  readonly #byName = new Map<string, Rule[]>();
  readonly #rules: readonly Rule[];
  readonly #state: DetectionState;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #updateEveryMs: number;
  readonly #evidenceEvents: number;
  readonly #evidenceValues: number;
  /** Signal id → newest matching events, bounded like the state's live signals. */
  readonly #evidence = new Map<string, AccountEvent[]>();

  constructor(options: EngineOptions) {
    this.#rules = options.rules;
    this.#state = options.state;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#updateEveryMs = options.updateEveryMs ?? 10_000;
    this.#evidenceEvents = options.evidenceEvents ?? 10;
    this.#evidenceValues = options.evidenceValues ?? 20;
    for (const rule of options.rules) {
      for (const name of rule.events) {
        const list = this.#byName.get(name) ?? [];
        list.push(rule);
        this.#byName.set(name, list);
      }
    }
  }

  get rules(): readonly Rule[] {
    return this.#rules;
  }

  get state(): DetectionState {
    return this.#state;
  }

  /** Runs one event through the rules that read it. `now` defaults to the clock; replays pass the event's own time. */
  async observe(event: AccountEvent, now: number = this.#clock.now()): Promise<Detected> {
    const rules = this.#byName.get(event.name);
    if (rules === undefined) return NOTHING;
    let out: Detected | undefined;
    for (const rule of rules) {
      const found = await this.#observeRule(rule, event, now);
      if (found === undefined) continue;
      out ??= { changes: [], responses: [] };
      if (found.change) out.changes.push(found.change);
      out.responses.push(...found.responses);
    }
    return out ?? NOTHING;
  }

  async #observeRule(rule: Rule, event: AccountEvent, now: number): Promise<{ change: SignalChange | undefined; responses: PlannedResponse[] } | undefined> {
    let groupKey = '';
    for (let i = 0; i < rule.groupBy.length; i++) {
      const v = fieldValue(event, rule.groupBy[i] as string);
      // An event without the group's field cannot be grouped (Datadog drops it too).
      if (v === undefined || v === '') return undefined;
      groupKey = i === 0 ? String(v) : `${groupKey}${SEP}${String(v)}`;
    }
    let hits: Hit[] | undefined;
    for (const c of rule.cases) {
      if (!c.matches(event)) continue;
      const dv = rule.distinct === undefined ? undefined : fieldValue(event, rule.distinct);
      (hits ??= []).push({ caseIndex: c.index, value: dv === undefined ? undefined : String(dv), whileSignal: c.whileSignal });
    }
    if (hits === undefined) return undefined;
    const key = stateKey(rule.id, groupKey);
    const pending = this.#state.observe({ rule, key, now, hits });
    const obs: Observation = pending instanceof Promise ? await pending : pending;
    const matched = rule.cases.find((c) => caseHolds(rule, c, obs));
    if (matched === undefined) return undefined;
    const raising = this.#state.raise({
      key,
      now,
      severity: severityRank(matched.severity),
      keepAliveMs: rule.keepAliveMs,
      maxDurationMs: rule.maxDurationMs,
      newId: randomId(this.#random),
      caseIndex: matched.index,
      hasResponses: matched.responses.length > 0,
      respondForMs: matched.respondForMs,
      updateEveryMs: this.#updateEveryMs,
    });
    const life: RaiseResult = raising instanceof Promise ? await raising : raising;
    const events = this.#keepEvidence(life, event);
    if (life.status === 'quiet' && !life.respond) return { change: undefined, responses: [] };
    const group: Record<string, string> = {};
    if (groupKey !== '') {
      const parts = groupKey.split(SEP);
      rule.groupBy.forEach((f, i) => (group[f] = parts[i] ?? ''));
    }
    const values = rule.distinct === undefined ? [] : await this.#state.sample(rule, key, matched.index, this.#evidenceValues);
    const counts: Signal['evidence']['counts'] = {};
    rule.cases.forEach((c, i) => {
      const n = obs.counts[i] as CaseCounts;
      counts[c.name] = Number.isNaN(n.expected) ? { count: n.count, distinct: n.distinct } : { count: n.count, distinct: n.distinct, expected: Math.round(n.expected * 100) / 100 };
    });
    const signal: Signal = {
      id: life.id,
      ruleId: rule.id,
      ruleName: rule.name,
      severity: SEVERITIES[life.severity] ?? matched.severity,
      group,
      case: matched.name,
      firstSeen: life.firstSeen,
      lastSeen: life.lastSeen,
      expiresAt: life.expiresAt,
      hits: life.hits,
      evidence: { counts, values, events: [...events] },
    };
    const ip = group['network.client.ip'] ?? event['network.client.ip'];
    return {
      change: life.status === 'quiet' ? undefined : { kind: life.status, signal },
      responses: life.respond ? matched.responses.map((response) => ({ rule, signal, response, ip })) : [],
    };
  }

  #keepEvidence(life: RaiseResult, event: AccountEvent): AccountEvent[] {
    let list = this.#evidence.get(life.id);
    if (list === undefined) {
      list = [];
      this.#evidence.set(life.id, list);
      // Bounded: the oldest signals' samples go first (they live on in the store).
      if (this.#evidence.size > 10_000) {
        const oldest = this.#evidence.keys().next();
        if (oldest.done !== true) this.#evidence.delete(oldest.value);
      }
    }
    list.push(event);
    if (list.length > this.#evidenceEvents) list.shift();
    return list;
  }
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
