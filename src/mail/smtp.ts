import nodemailer from 'nodemailer';
import { PermanentDeliveryError } from '../core/outbox.js';
import type { MailTransport, OutgoingMail } from './transport.js';

export interface SmtpOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`; pool and TLS options may ride in the query string. */
  url: string;
  /** Parallel connections (default 2). */
  maxConnections?: number;
  /** Milliseconds to connect, to get the greeting, and of socket silence (defaults 10 s, 10 s, 30 s). */
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/**
 * SMTP through nodemailer, pooled so a burst of mail reuses connections, with
 * timeouts short enough that a hung server costs a retry, not the worker.
 * A 5xx refusal of the recipient is permanent (retrying cannot mend it);
 * every other failure is thrown as is, for the worker to retry.
 */
export class SmtpTransport implements MailTransport {
  readonly #mailer: ReturnType<typeof nodemailer.createTransport>;

  constructor(options: SmtpOptions) {
    this.#mailer = nodemailer.createTransport({
      pool: true,
      url: options.url,
      maxConnections: options.maxConnections ?? 2,
      maxMessages: 100,
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.greetingTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 30_000,
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
  }

  async send(m: OutgoingMail): Promise<void> {
    try {
      // A composed message goes as is (its own headers, Message-ID included); the envelope says who gets it.
      await this.#mailer.sendMail(
        m.source === undefined
          ? { messageId: m.messageId, from: m.from, to: m.to, subject: m.subject, text: m.text, html: m.html }
          : { envelope: { from: m.from, to: m.to }, raw: m.source },
      );
    } catch (err) {
      const e = err as { responseCode?: unknown; command?: unknown; code?: unknown };
      const code = typeof e.responseCode === 'number' ? e.responseCode : 0;
      // A sanitized message: the server's reply may quote the address or parts of the message.
      const kind = typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) ? ` (${e.code})` : '';
      const summary = `SMTP ${typeof e.command === 'string' ? e.command : 'send'} failed${code > 0 ? ` with ${code}` : ''}${kind}`;
      if (code >= 500 && code < 600 && code !== 503 && e.command === 'RCPT TO') throw new PermanentDeliveryError(`${summary}: recipient refused`, { cause: err });
      throw new Error(summary, { cause: err });
    }
  }

  async close(): Promise<void> {
    this.#mailer.close();
    await Promise.resolve();
  }
}
