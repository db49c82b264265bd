import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutgoingMail } from './transport.js';

/**
 * The RFC 5322 / MIME source of one mail (nodemailer's composer: a text and
 * an HTML part, encoded headers), dated `date`. The mail deliverer composes
 * every mail row, decoys included, so composing costs the same in both worlds;
 * transports then only move the bytes. No file or URL is ever read.
 */
export async function composeMail(m: Omit<OutgoingMail, 'source'>, date: Date): Promise<Buffer> {
  return new MailComposer({
    messageId: m.messageId,
    date,
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    disableFileAccess: true,
    disableUrlAccess: true,
  })
    .compile()
    .build();
}
