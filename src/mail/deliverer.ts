import type { Deliverer, OutboxMessage } from '../core/outbox.js';
import type { Config } from '../kernel/config.js';
import type { MailTransport } from './transport.js';
import { MAIL_KIND, parseMailPayload, renderMail } from './templates.js';

export interface MailDelivererOptions {
  transport: MailTransport;
  config: Pick<Config, 'productName' | 'origin' | 'mailFrom'>;
}

/** `<row-id@origin-host>`: the same for every attempt of a row, so a receiver can drop a repeat. */
export function messageIdFor(rowId: string, origin: string): string {
  return `<${rowId}@${new URL(origin).hostname}>`;
}

/**
 * Delivers outbox rows of kind `mail`: checks the payload, renders the
 * template (refusing links off the configured origin) and hands the result to
 * the transport. Malformed rows fail permanently; transport errors retry.
 */
export function createMailDeliverer(options: MailDelivererOptions): Deliverer {
  const { transport, config } = options;
  const brand = { productName: config.productName, origin: config.origin };
  return {
    kind: MAIL_KIND,
    async deliver(message: OutboxMessage): Promise<void> {
      const payload = parseMailPayload(message.payload);
      const rendered = renderMail(payload, brand);
      await transport.send({ messageId: messageIdFor(message.id, config.origin), from: config.mailFrom, to: payload.to, ...rendered });
    },
  };
}
