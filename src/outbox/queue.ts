import type { OutboxMessage } from '../core/outbox.js';

/** A row the worker holds under a lease until `leaseUntil`. */
export interface ClaimedMessage extends OutboxMessage {
  leaseUntil: Date;
}

export interface OutboxStats {
  /** Rows neither delivered nor given up. */
  pending: number;
  /** Age of the oldest pending row, in milliseconds (0 when none). */
  oldestAgeMs: number;
  /** Rows given up (permanent failure or too many attempts). */
  failed: number;
}

/**
 * What the outbox worker needs of the outbox table (store/outbox.ts
 * implements it). Claims are leases: rows a crashed worker held come back
 * when their lease ends, so delivery is at least once.
 */
export interface OutboxQueue {
  /** Up to `batch` due rows, oldest first, leased for `leaseMs` to this worker alone. */
  claim(batch: number, leaseMs: number): Promise<ClaimedMessage[]>;
  markDelivered(ids: string | readonly string[]): Promise<void>;
  /** A failure that may mend: try again at `nextAt`. */
  reschedule(id: string, error: string, nextAt: Date): Promise<void>;
  /** Given up: never tried again (kept for the operator to inspect). */
  markFailed(id: string, error: string): Promise<void>;
  /** Hands leased rows back unattempted (a clean stop). */
  release(ids: readonly string[]): Promise<void>;
  stats(): Promise<OutboxStats>;
}
