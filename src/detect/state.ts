import { BUCKETS } from './rule.js';
import type { Rule } from './rule.js';

/**
 * Where the engine keeps its windows and live signals: in memory (one
 * process) or in Redis (several instances see one window). Both pass one
 * conformance suite (test/detect/state-conformance.ts). Every method is atomic
 * per group: in Redis each is one Lua script.
 */
export interface DetectionState {
  readonly kind: 'memory' | 'redis';
  /** Adds one event's hits to a group's window and returns every case's counts after it. */
  observe(input: ObserveInput): Observation | Promise<Observation>;
  /** Opens, escalates or refreshes the group's signal for a case that matched. */
  raise(input: RaiseInput): RaiseResult | Promise<RaiseResult>;
  /** The most recent distinct values of a case in the window (evidence), newest last. */
  sample(rule: Rule, key: string, groupKey: string, caseIndex: number, limit: number): string[] | Promise<string[]>;
  /** Live groups and how many were evicted to keep memory bounded. */
  stats(): StateStats | Promise<StateStats>;
  close(): Promise<void>;
}

export interface StateStats {
  groups: number;
  evictions: number;
}

/** One case an event counts for; `value` is its distinct field's value, when the rule has one. */
export interface Hit {
  caseIndex: number;
  value: string | undefined;
  /** Counts only if the group's signal is alive. */
  whileSignal: boolean;
}

export interface ObserveInput {
  rule: Rule;
  /** The rule and the group, as one string: `ruleId \0 groupKey` (Redis keys). */
  key: string;
  /** The group alone: the group-by values joined by U+001F ('' app-wide). */
  groupKey: string;
  now: number;
  hits: readonly Hit[];
}

export interface CaseCounts {
  /** Events in the window. */
  count: number;
  /** Distinct values in the window (0 when the rule has no distinct field). */
  distinct: number;
  /** Anomaly rules: events a window usually holds, learned (NaN otherwise). */
  expected: number;
  /** Anomaly rules: how much history the baseline has seen. */
  learnedMs: number;
}

export interface Observation {
  counts: CaseCounts[];
  signalAlive: boolean;
}

export interface RaiseInput {
  key: string;
  ruleId: string;
  groupKey: string;
  now: number;
  /** Severity rank of the case that matched (0 info … 4 critical). */
  severity: number;
  keepAliveMs: number;
  maxDurationMs: number;
  /** The id a new signal gets; ignored when one is alive. */
  newId: string;
  caseIndex: number;
  /** The case has responses: run them the first time it matches in a signal, and again once `respondForMs` has passed. */
  hasResponses: boolean;
  respondForMs: number;
  /** A live signal is reported as `updated` at most this often (so floods do not flood the store). */
  updateEveryMs: number;
}

export interface RaiseResult {
  id: string;
  status: 'opened' | 'escalated' | 'updated' | 'quiet';
  severity: number;
  firstSeen: number;
  lastSeen: number;
  expiresAt: number;
  hits: number;
  /** Run this case's responses now. */
  respond: boolean;
}

/** `ruleId \0 groupKey`: the state key of one rule's group. */
export function stateKey(ruleId: string, groupKey: string): string {
  return `${ruleId}\u0000${groupKey}`;
}

/**
 * The window ending in bucket `at` is the newest BUCKETS buckets, that one
 * included: no counted event is older than the window, and one may leave it
 * up to a bucket (window / BUCKETS) early.
 */
export function windowStartBucket(at: number): number {
  return at - BUCKETS + 1;
}
