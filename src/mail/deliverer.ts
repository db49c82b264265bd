import type { Deliverer, OutboxMessage } from '../core/outbox.js';
import type { Config } from '../kernel/config.js';
import type { Clock } from '../kernel/clock.js';
import { systemClock } from '../kernel/clock.js';
import type { MailTransport } from './transport.js';
import { MAIL_KIND, parseMailPayload, renderMail } from './templates.js';
import { composeMail } from './compose.js';

export interface MailDelivererOptions {
  transport: MailTransport;
  config: Pick<Config, 'productName' | 'origin' | 'mailFrom'>;
  /** Dates each message (default: the system clock). */
  clock?: Clock;
}

/** `<row-id@origin-host>`: the same for every attempt of a row, so a receiver can drop a repeat. */
export function messageIdFor(rowId: string, origin: string): string {
  return `<${rowId}@${new URL(origin).hostname}>`;
}

/**
 * Delivers outbox rows of kind `mail`: checks the payload, renders the
 * template (refusing links off the configured origin), composes the MIME
 * message and hands it to the transport. A decoy (core/outbox.ts) goes through
 * every step but the last: it is dropped once composed, so the work on this
 * thread is the same whether the row stands for a real mail or for an unknown
 * address (design.md §4.10). Malformed rows fail permanently; transport
 * errors retry.
 */
export function createMailDeliverer(options: MailDelivererOptions): Deliverer {
  const { transport, config } = options;
  const clock = options.clock ?? systemClock;
  const brand = { productName: config.productName, origin: config.origin };
  return {
    kind: MAIL_KIND,
    async deliver(message: OutboxMessage): Promise<void> {
      const payload = parseMailPayload(message.payload);
      const mail = { messageId: messageIdFor(message.id, config.origin), from: config.mailFrom, to: payload.to, ...renderMail(payload, brand) };
      const source = await composeMail(mail, new Date(clock.now()));
      if (payload.decoy === true) return;
      await transport.send({ ...mail, source });
    },
  };
}
