import { z } from 'zod';

/**
 * The rule file format, as data. This schema is the source of the published
 * JSON Schema (rules/rule.schema.json, kept in step by a test), so it holds
 * only what JSON Schema can say: shapes, enums, patterns. What it cannot say
 * (window ≤ keep-alive ≤ max duration, a threshold on a rule without a
 * distinct field…) is checked when a rule is compiled (compile.ts), with the
 * same kind of error: file, path, problem.
 */

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severity as a number, for "at least" comparisons and escalation. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** The event fields a rule may read: Datadog's names, plus `attrs.*` for another app's own fields. */
export const FIELD_PATTERN = '^(name|usr\\.login|usr\\.id|usr\\.exists|network\\.client\\.ip|http\\.useragent|source|attrs\\.[A-Za-z0-9_.-]{1,64})$';
const field = z.string().regex(new RegExp(FIELD_PATTERN), 'is not an event field (name, usr.login, usr.id, usr.exists, network.client.ip, http.useragent, source or attrs.NAME)');

const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'is not a duration such as 30s, 5m, 1h or 1d');
const eventName = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'is not an event name such as users.login.failure');
const scalar = z.union([z.string().max(320), z.number(), z.boolean()]);
const envName = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'is not an environment variable name');

const threshold = z.union([
  z.int().min(0).describe('More than this many: distinct values when the rule has `distinct`, events otherwise.'),
  z
    .object({
      count: z.int().min(0).optional().describe('More than this many events.'),
      distinct: z.int().min(0).optional().describe('More than this many distinct values of the rule\'s `distinct` field.'),
    })
    .strict(),
]);

const response = z.union([
  z.object({ block_ip: duration.describe('Block the address for this long (silently: the attacker gets the normal reply).') }).strict(),
  z
    .object({
      raise_pow: z
        .object({
          for: duration,
          factor: z.number().min(1).max(1000).describe('Multiply the proof-of-work difficulty by this.'),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      notify: z
        .object({
          url: z.string().regex(/^https?:\/\/\S+$/, 'is not an http(s) URL').optional(),
          url_env: envName.optional().describe('Read the webhook URL from this environment variable (skipped when unset).'),
          format: z.enum(['json', 'slack']).optional().describe('Generic JSON (default) or a Slack-compatible message.'),
          secret_env: envName.optional().describe('Sign with the secret in this variable instead of the key derived from HUSH_SECRET.'),
        })
        .strict(),
    })
    .strict(),
]);
export type RuleResponseInput = z.infer<typeof response>;

const ruleCase = z
  .object({
    name: z.string().min(1).max(100).optional(),
    where: z
      .record(field, z.union([scalar, z.array(scalar).min(1).max(100)]))
      .optional()
      .describe('Only events whose fields equal these values (a list means any of them) count for this case.'),
    threshold: threshold.optional(),
    while_signal: z.boolean().optional().describe('Count only events that arrive while this rule already has a live signal for the group.'),
    severity: z.enum(SEVERITIES),
    responses: z.array(response).max(10).optional(),
  })
  .strict();

export const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'is not an id (lower-case letters, digits, . _ -)'),
    name: z.string().min(1).max(200),
    description: z.string().max(4000).optional(),
    enabled: z.boolean().optional(),
    method: z.enum(['threshold', 'anomaly']).optional(),
    events: z.array(eventName).min(1).max(50),
    group_by: z.array(field).max(4).optional().describe('One signal per value of these fields; empty: the whole app.'),
    distinct: field.optional().describe('Count distinct values of this field (exact up to a cap, then HyperLogLog).'),
    window: duration.describe('The sliding window the counts cover (at most 2h).'),
    keep_alive: duration.optional().describe('A signal stays open while cases keep matching within this long (default 1h, at most 6h).'),
    max_duration: duration.optional().describe('A signal closes this long after it opened (default 24h, at most 24h).'),
    anomaly: z
      .object({
        baseline: duration.describe('How far back the learned rate reaches (the average\'s time constant).'),
        factor: z.number().min(1).max(1000).describe('Fire when the window\'s count is above this many times the baseline.'),
        min_events: z.int().min(1).describe('…and above this many events, so a quiet app does not alert on a handful.'),
        learning: duration.optional().describe('Do not fire before this much history has been seen (default: baseline).'),
      })
      .strict()
      .optional(),
    cases: z.array(ruleCase).min(1).max(10),
    tags: z.array(z.string().max(64)).max(20).optional(),
  })
  .strict();

export type RuleInput = z.infer<typeof ruleSchema>;

/** The JSON Schema published as rules/rule.schema.json, for editors and other tools. */
export function ruleJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://hush.dev/schema/rule.schema.json',
    title: 'hush detection rule',
    ...z.toJSONSchema(ruleSchema, { target: 'draft-2020-12' }),
  };
}
