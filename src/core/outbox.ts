/**
 * The transactional outbox (design.md §4.6): what an accepted request must
 * cause later (mail, webhooks) is written as a row in the same transaction as
 * its state change, then delivered at least once by a worker, de-duplicated by
 * the row id.
 */
export interface OutboxMessage {
  id: string;
  /** Which deliverer handles it: `mail`, `webhook`, … */
  kind: string;
  payload: unknown;
  /** Delivery attempts so far, including the current one. */
  attempts: number;
  createdAt: Date;
}

/** Writes outbox rows; the store implements it, inside or outside a transaction. */
export interface OutboxWriter {
  enqueue(kind: string, payload: unknown): Promise<string>;
}

/** Delivers one kind of outbox row. Throwing means "try again later" (with backoff). */
export interface Deliverer {
  readonly kind: string;
  deliver(message: OutboxMessage): Promise<void>;
  /**
   * Optional: delivers several rows of this kind at once, all or none (one
   * write for events). Throwing sends the worker back to `deliver`, row by
   * row, so one bad row never holds up its neighbours. Only for kinds that
   * tolerate a repeat: a crash after it and before the rows are marked
   * delivered repeats the whole run, where `deliver` repeats one row.
   */
  deliverMany?(messages: readonly OutboxMessage[]): Promise<void>;
}

/** A failure that retrying cannot mend (a malformed payload, a refused address): the row is given up at once. */
export class PermanentDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentDeliveryError';
  }
}
