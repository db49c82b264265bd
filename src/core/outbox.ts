/**
 * The transactional outbox (design.md §4.7): what an accepted request must
 * cause later (mail, events, webhooks) is written as a row in the same
 * transaction as its state change, then delivered at least once by the
 * outbox worker (src/outbox), de-duplicated by the row id.
 *
 * The payload of every kind is declared here, where the flows and detection
 * write them: a row is typed when it is written, and its deliverer checks it
 * again when it is read back (a row may predate a change of shape).
 */
import type { AccountEvent } from './event.js';

/** Every mail hush sends. A flow names one; the mail deliverer renders it when it delivers. */
export const MAIL_TEMPLATES = ['verify', 'account-exists', 'recovery', 'password-changed', 'magic-link', 'magic-signup', 'password-set-notice', 'account-notice'] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/**
 * The payload of an outbox row of kind `mail`. `to` is the stored address
 * (never the typed identifier). `vars` holds the links (`link`; for
 * `account-exists`, `loginLink` and `resetLink`) and optionally `expiresIn`
 * ("30 minutes"). Rendering waits for delivery, so a template fix reaches
 * mail already queued.
 */
export interface MailPayload {
  to: string;
  template: MailTemplate;
  vars: Record<string, string>;
  /**
   * A decoy: the mail an unknown address stands in for. A flow whose known
   * path mails and whose unknown path would not (the reset request) queues
   * one, so the outbox does the same work in both worlds after the reply
   * (design.md §4.10): the same row, claim and mark, the same render and
   * MIME composition. The deliverer then drops it instead of handing it to
   * the transport: nobody is ever mailed. Its link carries a token that was
   * minted and never stored, so it works nowhere.
   */
  decoy?: true;
}

/** The payload of an outbox row of kind `webhook`: a detection `notify` response. */
export interface WebhookPayload {
  url: string;
  format: 'json' | 'slack';
  /** Sign with the secret in this variable instead of the derived key. */
  secretEnv?: string;
  /** The exact bytes sent and signed. */
  body: string;
}

/** What each kind of row carries: `mail` (flows), `event` (flows and guards, to detection), `webhook` (detection). */
export interface OutboxPayloads {
  mail: MailPayload;
  event: AccountEvent;
  webhook: WebhookPayload;
}

export type OutboxKind = keyof OutboxPayloads;
export const OUTBOX_KINDS: readonly OutboxKind[] = ['mail', 'event', 'webhook'];

/** One row as a deliverer receives it. The payload is as stored: its deliverer checks it before use. */
export interface OutboxMessage {
  id: string;
  /** Which deliverer handles it. A row written by another version may name a kind this one lacks. */
  kind: string;
  payload: unknown;
  /** Delivery attempts so far, including the current one. */
  attempts: number;
  createdAt: Date;
}

/** Writes outbox rows; the store implements it, inside or outside a transaction. */
export interface OutboxWriter {
  enqueue<K extends OutboxKind>(kind: K, payload: OutboxPayloads[K]): Promise<string>;
}

/** Delivers one kind of outbox row. Throwing means "try again later" (with backoff). */
export interface Deliverer {
  readonly kind: OutboxKind;
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
