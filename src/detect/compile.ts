import { parseDuration } from '../kernel/duration.js';
import type { AccountEvent } from '../core/event.js';
import { BUCKETS, EXISTENCE_FIELDS, fieldReader } from './rule.js';
import type { Rule, RuleCase, RuleResponse } from './rule.js';
import type { RuleInput } from './rule-schema.js';

/** A problem in a rule, located by its path inside the file (`cases[1].threshold`). */
export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

const HOUR = 3_600_000;
/** Datadog's limits (anchors §1.3): evaluation window ≤ 2h, keep-alive ≤ 6h, maximum duration ≤ 24h. */
const MAX_WINDOW = 2 * HOUR;
const MAX_KEEP_ALIVE = 6 * HOUR;
const MAX_DURATION = 24 * HOUR;

/**
 * Turns a schema-valid rule into a runnable one, checking what the JSON Schema
 * cannot: the order of the durations, thresholds that fit the method,
 * conditions that can ever match, and visible answers that could depend on
 * whether an account exists. Returns the problems instead of throwing, so
 * that a file's every problem is reported at once.
 */
export function compileRule(input: RuleInput, file: string): { rule: Rule; problems: [] } | { rule: undefined; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const ms = (text: string, path: (string | number)[]): number => {
    const v = parseDuration(text);
    if (v === null || v <= 0) {
      problems.push({ path, message: 'is not a positive duration' });
      return 1;
    }
    return v;
  };
  const method = input.method ?? 'threshold';
  const windowMs = ms(input.window, ['window']);
  const keepAliveMs = input.keep_alive === undefined ? Math.max(HOUR, windowMs) : ms(input.keep_alive, ['keep_alive']);
  const maxDurationMs = input.max_duration === undefined ? Math.max(24 * HOUR, keepAliveMs) : ms(input.max_duration, ['max_duration']);
  if (windowMs > MAX_WINDOW) problems.push({ path: ['window'], message: 'is longer than 2h' });
  if (windowMs < BUCKETS * 100) problems.push({ path: ['window'], message: 'is shorter than 3s' });
  if (keepAliveMs > MAX_KEEP_ALIVE) problems.push({ path: ['keep_alive'], message: 'is longer than 6h' });
  if (maxDurationMs > MAX_DURATION) problems.push({ path: ['max_duration'], message: 'is longer than 24h' });
  if (keepAliveMs < windowMs) problems.push({ path: ['keep_alive'], message: 'is shorter than the window' });
  if (maxDurationMs < keepAliveMs) problems.push({ path: ['max_duration'], message: 'is shorter than keep_alive' });
  if (method === 'anomaly' && input.anomaly === undefined) problems.push({ path: ['method'], message: 'is anomaly but the rule has no `anomaly` block' });
  if (method === 'threshold' && input.anomaly !== undefined) problems.push({ path: ['anomaly'], message: 'is set but the method is threshold' });
  const groupBy = input.group_by ?? [];
  if (new Set(groupBy).size !== groupBy.length) problems.push({ path: ['group_by'], message: 'names a field twice' });

  const anomaly =
    input.anomaly === undefined
      ? undefined
      : {
          baselineMs: ms(input.anomaly.baseline, ['anomaly', 'baseline']),
          factor: input.anomaly.factor,
          minEvents: input.anomaly.min_events,
          learningMs: input.anomaly.learning === undefined ? 0 : ms(input.anomaly.learning, ['anomaly', 'learning']),
        };
  if (anomaly && anomaly.baselineMs < windowMs * 4) problems.push({ path: ['anomaly', 'baseline'], message: 'is shorter than four windows: there is nothing to learn from' });
  if (anomaly && input.anomaly?.learning === undefined) anomaly.learningMs = anomaly.baselineMs;

  const answersVisibly = input.cases.some((c) => (c.responses ?? []).some(isVisibleInput));
  problems.push(...existenceProblems(input, answersVisibly));

  const cases: RuleCase[] = input.cases.map((c, index) => {
    const at = (...rest: (string | number)[]): (string | number)[] => ['cases', index, ...rest];
    let count: number | undefined;
    let distinct: number | undefined;
    if (typeof c.threshold === 'number') {
      if (input.distinct === undefined) count = c.threshold;
      else distinct = c.threshold;
    } else if (c.threshold) {
      count = c.threshold.count;
      distinct = c.threshold.distinct;
      if (count === undefined && distinct === undefined) problems.push({ path: at('threshold'), message: 'names neither count nor distinct' });
    }
    if (distinct !== undefined && input.distinct === undefined) problems.push({ path: at('threshold', 'distinct'), message: 'needs the rule to have a `distinct` field' });
    if (method === 'threshold' && c.threshold === undefined) problems.push({ path: at('threshold'), message: 'is required for a threshold rule' });
    const where = c.where ?? {};
    const whereName = where.name;
    if (whereName !== undefined) {
      const names = Array.isArray(whereName) ? whereName : [whereName];
      for (const n of names) if (!input.events.includes(String(n))) problems.push({ path: at('where', 'name'), message: `names ${JSON.stringify(n)}, which is not in the rule's events` });
    }
    const responses: RuleResponse[] = (c.responses ?? []).map((r, ri): RuleResponse => {
      if ('block_ip' in r) return { kind: 'block_ip', forMs: ms(r.block_ip, at('responses', ri, 'block_ip')) };
      if ('raise_pow' in r) return { kind: 'raise_pow', forMs: ms(r.raise_pow.for, at('responses', ri, 'raise_pow', 'for')), factor: r.raise_pow.factor };
      const n = r.notify;
      if ((n.url === undefined) === (n.url_env === undefined)) problems.push({ path: at('responses', ri, 'notify'), message: 'needs exactly one of url and url_env' });
      return { kind: 'notify', url: n.url, urlEnv: n.url_env, format: n.format ?? 'json', secretEnv: n.secret_env };
    });
    const respondForMs = Math.max(0, ...responses.map((r) => (r.kind === 'notify' ? 0 : r.forMs)));
    return {
      index,
      name: c.name ?? `case ${index + 1}`,
      matches: compileWhere(where),
      whenNamed: (name: string) => {
        const { name: names, ...rest } = where;
        if (names !== undefined && !(Array.isArray(names) ? names : [names]).includes(name)) return false;
        return Object.keys(rest).length === 0 ? true : compileWhere(rest);
      },
      count,
      distinct,
      whileSignal: c.while_signal ?? false,
      grades: answersVisibly && readsExistence(c),
      severity: c.severity,
      responses,
      respondForMs,
    };
  });
  if (problems.length > 0) return { rule: undefined, problems };
  return {
    rule: {
      id: input.id,
      name: input.name,
      description: input.description?.trim() ?? '',
      enabled: input.enabled ?? true,
      method,
      events: input.events,
      groupBy,
      distinct: input.distinct,
      windowMs,
      bucketMs: windowMs / BUCKETS,
      keepAliveMs,
      maxDurationMs,
      anomaly,
      cases,
      tags: input.tags ?? [],
      file,
    },
    problems: [],
  };
}

type Scalar = string | number | boolean;
type CaseInput = RuleInput['cases'][number];
type ResponseInput = NonNullable<CaseInput['responses']>[number];

function isVisibleInput(r: ResponseInput): boolean {
  return 'block_ip' in r || 'raise_pow' in r;
}

function readsExistence(c: CaseInput): boolean {
  return Object.keys(c.where ?? {}).some((f) => EXISTENCE_FIELDS.includes(f));
}

const caseName = (c: CaseInput, index: number): string => `"${c.name ?? `case ${index + 1}`}"`;

/**
 * Design §4.2 (noninterference): an answer the attacker can observe (block_ip,
 * raise_pow) never depends on whether an account exists. In a rule that
 * answers visibly, only the severity may: a case whose `where` reads usr.exists
 * or usr.id grades the severity of a signal that the other cases raise, so it
 * may carry no responses (the engine never runs them), and the rule may not
 * group or count distinct values by those fields (its windows would differ).
 */
function existenceProblems(input: RuleInput, answersVisibly: boolean): RuleProblem[] {
  if (!answersVisibly) return [];
  const problems: RuleProblem[] = [];
  const rule = `rule "${input.id}"`;
  const answering = input.cases
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => !readsExistence(c) && (c.responses ?? []).some(isVisibleInput))
    .map(({ c, i }) => `case ${caseName(c, i)}`);
  const visibleKinds = (c: CaseInput): string => [...new Set((c.responses ?? []).filter(isVisibleInput).map((r) => ('block_ip' in r ? 'block_ip' : 'raise_pow')))].join(' and ');
  const anyVisible = input.cases.find((c) => (c.responses ?? []).some(isVisibleInput));
  const kinds = anyVisible === undefined ? '' : visibleKinds(anyVisible);
  (input.group_by ?? []).forEach((f, i) => {
    if (EXISTENCE_FIELDS.includes(f)) problems.push({ path: ['group_by', i], message: `${rule} groups by ${f} and answers with ${kinds}, which the attacker can see: the answer would tell whether an account exists. Group by fields the attacker controls (network.client.ip, usr.login)` });
  });
  if (input.distinct !== undefined && EXISTENCE_FIELDS.includes(input.distinct)) {
    problems.push({ path: ['distinct'], message: `${rule} counts distinct ${input.distinct} and answers with ${kinds}, which the attacker can see: the answer would tell whether an account exists` });
  }
  input.cases.forEach((c, i) => {
    if (!readsExistence(c) || (c.responses ?? []).length === 0) return;
    const fields = Object.keys(c.where ?? {}).filter((f) => EXISTENCE_FIELDS.includes(f)).join(' and ');
    const name = `${rule}, case ${caseName(c, i)}`;
    if ((c.responses ?? []).some(isVisibleInput)) {
      problems.push({
        path: ['cases', i, 'responses'],
        message: `${name} reads ${fields} and answers with ${visibleKinds(c)}, which the attacker can see: the answer would tell whether the accounts exist. Put the visible responses on a case that does not read usr.exists or usr.id; a case that reads them may only grade the severity (no responses)`,
      });
    } else {
      problems.push({
        path: ['cases', i, 'responses'],
        message: `${name} reads ${fields} in a rule that answers with ${kinds}${answering.length === 0 ? '' : ` (${answering.join(', ')})`}, so it only grades the signal's severity and never answers: its notify would never run. Put notify on the case that answers`,
      });
    }
  });
  return problems;
}

/** A `where` block as one function: every field must equal its value (or one of its values). Readers are chosen here, once. */
function compileWhere(where: Record<string, Scalar | Scalar[]>): (event: AccountEvent) => boolean {
  const checks = Object.entries(where).map(([field, expected]): ((event: AccountEvent) => boolean) => {
    const read = fieldReader(field);
    const values = Array.isArray(expected) ? [...new Set(expected)] : [expected];
    if (values.length === 1 && !Number.isNaN(values[0])) {
      // One allowed value (the usual case): a comparison, not a Set lookup. === matches Set's SameValueZero but for NaN.
      const only = values[0] as Scalar;
      return (event) => read(event) === only;
    }
    const allowed = new Set<Scalar>(values);
    return (event) => {
      const v = read(event);
      return v !== undefined && allowed.has(v);
    };
  });
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0] as (event: AccountEvent) => boolean;
  if (checks.length === 2) {
    const [a, b] = checks as [(event: AccountEvent) => boolean, (event: AccountEvent) => boolean];
    return (event) => a(event) && b(event);
  }
  return (event) => checks.every((check) => check(event));
}
