import type { AccountEvent } from '../core/event.js';
import type { Severity } from './rule-schema.js';
import { mailboxKey } from '../core/identifier.js';

/** A rule ready to run: durations in milliseconds, conditions as functions. */
export interface Rule {
  id: string;
  name: string;
  description: string;
  /** `enabled: false` in the file: validated, and able to replace a default, but never run. */
  enabled: boolean;
  method: 'threshold' | 'anomaly';
  events: readonly string[];
  groupBy: readonly string[];
  distinct: string | undefined;
  windowMs: number;
  /** Width of one time bucket: the window is `BUCKETS` of them. */
  bucketMs: number;
  keepAliveMs: number;
  maxDurationMs: number;
  anomaly: AnomalyOptions | undefined;
  cases: readonly RuleCase[];
  tags: readonly string[];
  /** The file it came from, for messages. */
  file: string;
}

/** Buckets per window: the window slides in steps of window / BUCKETS and never counts an event older than the window. */
export const BUCKETS = 30;

export interface AnomalyOptions {
  baselineMs: number;
  factor: number;
  minEvents: number;
  learningMs: number;
}

export interface RuleCase {
  index: number;
  name: string;
  matches: (event: AccountEvent) => boolean;
  /**
   * The condition for events of one name, decided once: false when it can
   * never hold (its `where` names other events), true when it always holds,
   * otherwise a check of its other fields.
   */
  whenNamed: (name: string) => boolean | ((event: AccountEvent) => boolean);
  /** Fires when the window holds more than this many events (undefined: no condition). */
  count: number | undefined;
  /** Fires when the window holds more than this many distinct values. */
  distinct: number | undefined;
  whileSignal: boolean;
  /**
   * The case reads whether an account exists (`usr.exists`, `usr.id` in its
   * `where`) in a rule that blocks or raises proof-of-work: it only grades the
   * signal's severity. It never opens, keeps alive or answers a signal by
   * itself, so what the attacker sees cannot depend on it (design §4.2).
   */
  grades: boolean;
  severity: Severity;
  responses: readonly RuleResponse[];
  /** The longest block or PoW raise among the responses (0: none, they run once per signal). */
  respondForMs: number;
}

export type RuleResponse =
  | { kind: 'block_ip'; forMs: number }
  | { kind: 'raise_pow'; forMs: number; factor: number }
  | { kind: 'notify'; url: string | undefined; urlEnv: string | undefined; format: 'json' | 'slack'; secretEnv: string | undefined };

/**
 * The event fields that differ between a world where an account exists and one
 * where it does not: `usr.exists` itself, and `usr.id`, which only an existing
 * account has. A rule's visible answer may not read them (compile.ts).
 */
export const EXISTENCE_FIELDS: readonly string[] = ['usr.exists', 'usr.id'];

/** Responses the attacker can observe: a block drops its requests' effects, a raise shows in its challenges. `notify` goes to the owner. */
export function isVisibleResponse(r: RuleResponse): boolean {
  return r.kind === 'block_ip' || r.kind === 'raise_pow';
}

/** Reads one of the rule fields from an event; undefined when absent. */
export type FieldReader = (event: AccountEvent) => string | number | boolean | undefined;

/** A reader of one field, chosen once per rule instead of by name on every event. */
export function fieldReader(field: string): FieldReader {
  switch (field) {
    case 'name':
      return (event) => event.name;
    // Counted by mailbox: every spelling of one inbox (plus-tags, Gmail's dots, an IDN in either form) is one account to the rules.
    case 'usr.login':
      return (event) => {
        const login = event['usr.login'];
        return login === undefined ? undefined : mailboxKey(login);
      };
    case 'usr.id':
      return (event) => event['usr.id'];
    case 'usr.exists':
      return (event) => event['usr.exists'];
    case 'network.client.ip':
      return (event) => event['network.client.ip'];
    case 'http.useragent':
      return (event) => event['http.useragent'];
    case 'source':
      return (event) => event.source;
    default: {
      if (!field.startsWith('attrs.')) return () => undefined;
      const name = field.slice(6);
      return (event) => event.attrs?.[name];
    }
  }
}

/** Reads one of the rule fields from an event (`attrs.x` from its attributes); undefined when absent. */
export function fieldValue(event: AccountEvent, field: string): string | number | boolean | undefined {
  return fieldReader(field)(event);
}
