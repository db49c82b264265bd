import { join } from 'node:path';
import type { Config } from '../kernel/config.js';
import type { Clock } from '../kernel/clock.js';
import type { MailTransport } from './transport.js';
import { DevMailbox } from './dev-mailbox.js';
import { SmtpTransport } from './smtp.js';

export type { MailTransport, OutgoingMail } from './transport.js';
export type { MailPayload, MailTemplate, MailBranding, RenderedMail } from './templates.js';
export { MAIL_TEMPLATES, MAIL_KIND, isMailTemplate, parseMailPayload, renderMail } from './templates.js';
export type { MailboxMessage } from './dev-mailbox.js';
export { DevMailbox, readMailbox } from './dev-mailbox.js';
export type { SmtpOptions } from './smtp.js';
export { SmtpTransport } from './smtp.js';
export type { MailDelivererOptions } from './deliverer.js';
export { createMailDeliverer, messageIdFor } from './deliverer.js';

/** The dev mailbox folder of a data folder: `$HUSH_DATA_DIR/mailbox`. */
export function mailboxDir(dataDir: string): string {
  return join(dataDir, 'mailbox');
}

/** SMTP when `SMTP_URL` is set, else the dev mailbox under the data folder. */
export function createMailTransport(config: Pick<Config, 'smtpUrl' | 'dataDir'>, clock?: Clock): MailTransport {
  if (config.smtpUrl !== undefined) return new SmtpTransport({ url: config.smtpUrl });
  return new DevMailbox(mailboxDir(config.dataDir), clock);
}
