import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { PermanentDeliveryError } from '../../src/core/outbox.js';
import { SmtpTransport } from '../../src/mail/smtp.js';
import { createMailTransport } from '../../src/mail/index.js';
import { parseEml } from '../../src/mail/eml.js';

const received: { to: string[]; source: string }[] = [];
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onRcptTo(address, _session, callback): void {
    if (address.address.startsWith('refused@')) {
      const err = new Error('mailbox unavailable') as Error & { responseCode: number };
      err.responseCode = 550;
      callback(err);
      return;
    }
    callback();
  },
  onData(stream, session, callback): void {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      received.push({ to: session.envelope.rcptTo.map((r) => r.address), source: Buffer.concat(chunks).toString('utf8') });
      callback();
    });
  },
});
let port = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const mail = (to: string): Parameters<SmtpTransport['send']>[0] => ({
  messageId: '<row-1@id.acme.test>',
  from: 'Acme <no-reply@id.acme.test>',
  to,
  subject: 'Reset your Acme password',
  text: 'https://id.acme.test/r#token=x',
  html: '<p>x</p>',
});

describe('SMTP transport', () => {
  it('sends with the row Message-ID, text and HTML', async () => {
    const t = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, dataDir: '/nonexistent' });
    expect(t).toBeInstanceOf(SmtpTransport);
    await t.send(mail('a@example.test'));
    await t.close();
    const [m] = received;
    expect(m!.to).toEqual(['a@example.test']);
    const parsed = parseEml(m!.source);
    expect(parsed.headers.get('message-id')).toBe('<row-1@id.acme.test>');
    expect(parsed.text).toBe('https://id.acme.test/r#token=x');
    expect(parsed.html).toBe('<p>x</p>');
  });

  it('makes a refused recipient permanent', async () => {
    const t = new SmtpTransport({ url: `smtp://127.0.0.1:${port}` });
    await expect(t.send(mail('refused@example.test'))).rejects.toBeInstanceOf(PermanentDeliveryError);
    await t.close();
  });

  it('makes an unreachable server a retry, with no URL or password in the error', async () => {
    const t = new SmtpTransport({ url: 'smtp://user:hunter2@127.0.0.1:1', connectionTimeoutMs: 2000 });
    const err = await t.send(mail('a@example.test')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
    expect((err as Error).message).not.toContain('hunter2');
    expect((err as Error).message).not.toContain('smtp://');
    await t.close();
  });
});
