/**
 * The stores detection needs, declared here by their consumer; store/
 * implements them (the `events` and `signals` tables, or memory) and the
 * composition root (src/hush.ts) hands them in.
 */
import type { AccountEvent } from '../core/event.js';
import type { Severity } from './rule-schema.js';
import type { Signal, SignalSink } from './signal.js';

/** Where accepted events are kept (for `hush rules test` replays, audits and retention). */
export interface EventStore {
  insert(events: readonly AccountEvent[]): Promise<void>;
}

export interface SignalQuery {
  /** Signals seen (last) at or after this time. */
  since?: number;
  /** At least this severity. */
  minSeverity?: Severity;
  ruleId?: string;
  /** Default 50, at most 500. */
  limit?: number;
  /** The `next` cursor of the previous page. */
  cursor?: string;
}

export interface SignalPage {
  signals: Signal[];
  /** Pass as `cursor` for the next page; absent on the last. */
  next?: string;
}

/** Signals as the console, the API and the CLI read them: upserted by id (keeping the highest severity), listed newest first. */
export interface SignalStore extends SignalSink {
  get(id: string): Promise<Signal | undefined>;
  list(query?: SignalQuery): Promise<SignalPage>;
}

/** What detection persists to; either may be absent (events analysed, not kept; signals only returned). */
export interface DetectionStores {
  events?: EventStore;
  signals?: SignalSink;
}
