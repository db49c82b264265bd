import type { AccountEvent } from '../core/event.js';
import type { Severity } from './rule-schema.js';

/** A rule that fired for one group: one per rule and group while it lives. */
export interface Signal {
  id: string;
  ruleId: string;
  ruleName: string;
  severity: Severity;
  /** The group-by fields and their values; empty for app-wide rules. */
  group: Record<string, string>;
  /** The case that matched last. */
  case: string;
  firstSeen: number;
  lastSeen: number;
  /** When it closes unless a case matches again (never after firstSeen + the rule's maximum duration). */
  expiresAt: number;
  /** Matches while it lived. */
  hits: number;
  evidence: SignalEvidence;
}

export interface SignalEvidence {
  /** Per case name: the window's counts when the signal was last reported. */
  counts: Record<string, { count: number; distinct: number; expected?: number }>;
  /** The most recent distinct values (e.g. the logins an address tried), newest last. */
  values: string[];
  /** The most recent events that matched while it lived, newest last. */
  events: AccountEvent[];
}

export interface SignalChange {
  kind: 'opened' | 'escalated' | 'updated';
  signal: Signal;
}

/** Where signals are kept: the store upserts by id, keeping the highest severity. */
export interface SignalSink {
  save(change: SignalChange): Promise<void>;
}
