import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevMailbox, readMailbox } from '../../src/mail/dev-mailbox.js';
import { createMailTransport, createMailDeliverer, messageIdFor } from '../../src/mail/index.js';
import { ManualClock } from '../../src/kernel/clock.js';
import type { OutboxMessage } from '../../src/core/outbox.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hush-mailbox-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dev mailbox', () => {
  it('writes RFC 5322 files that read back as sent, oldest first', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 22, 4, 0, 0));
    const box = new DevMailbox(join(dir, 'mailbox'), clock);
    const long = `https://id.acme.test/recovery#token=${'A'.repeat(90)}`;
    await box.send({ messageId: '<row1@id.acme.test>', from: 'Acme <no-reply@id.acme.test>', to: 'zoë@example.test', subject: 'Réinitialiser — ✓', text: `Bonjour zoë,\n${long}\n`, html: `<p>é <a href="${long}">go</a></p>` });
    clock.advance(1);
    await box.send({ messageId: '<row2@id.acme.test>', from: 'no-reply@id.acme.test', to: 'b@example.test', subject: 'second', text: 'plain ascii', html: '<p>x</p>' });
    const files = await readdir(join(dir, 'mailbox'));
    expect(files.filter((f) => !f.endsWith('.eml'))).toEqual([]);
    const raw = await readFile(join(dir, 'mailbox', files.sort()[0]!), 'utf8');
    expect(raw).toMatch(/^Content-Type: multipart\/alternative/m);
    expect(raw).toContain('Message-ID: <row1@id.acme.test>');
    expect(raw.split('\r\n').every((l) => l.length <= 998)).toBe(true);

    const messages = await readMailbox(join(dir, 'mailbox'));
    expect(messages.map((m) => m.messageId)).toEqual(['<row1@id.acme.test>', '<row2@id.acme.test>']);
    const [first] = messages;
    expect(first!.to).toContain('zoë@example.test');
    expect(first!.subject).toBe('Réinitialiser — ✓');
    expect(first!.text).toBe(`Bonjour zoë,\n${long}\n`);
    expect(first!.html).toContain(`href="${long}"`);
    expect(first!.links).toEqual([long]);
    expect(first!.date.getTime()).toBe(Date.UTC(2026, 10, 22, 4, 0, 0));
  });

  it('sorts by file name, which sorts by time, across many messages', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 22));
    const box = new DevMailbox(dir, clock);
    for (let i = 0; i < 12; i++) {
      await box.send({ messageId: `<m${i}@h>`, from: 'a@h', to: 'b@h', subject: `n${i}`, text: 't', html: 'h' });
      if (i % 3 === 0) clock.advance(1);
    }
    expect((await readMailbox(dir)).map((m) => m.subject)).toEqual(Array.from({ length: 12 }, (_, i) => `n${i}`));
  });

  it('reads a missing folder as an empty mailbox', async () => {
    expect(await readMailbox(join(dir, 'nope'))).toEqual([]);
  });

  it('is the default transport, and the deliverer writes a rendered template with a stable Message-ID', async () => {
    const transport = createMailTransport({ dataDir: dir, smtpUrl: undefined });
    const config = { productName: 'Acme', origin: 'https://id.acme.test', mailFrom: 'Acme <no-reply@id.acme.test>' };
    const deliverer = createMailDeliverer({ transport, config });
    const link = 'https://id.acme.test/verify#token=t0k3n';
    await deliverer.deliver({ id: 'abc_-1', kind: 'mail', payload: { to: 'a@example.test', template: 'verify', vars: { link } }, attempts: 1, createdAt: new Date() });
    const [m] = await readMailbox(join(dir, 'mailbox'));
    expect(m!.messageId).toBe(messageIdFor('abc_-1', config.origin));
    expect(m!.messageId).toBe('<abc_-1@id.acme.test>');
    expect(m!.links).toEqual([link]);
    expect(m!.subject).toContain('Acme');
    await transport.close();
  });

  it('takes a decoy through every step a real mail takes but the transport: checked, rendered and composed, then dropped', async () => {
    const sent: string[] = [];
    const transport = {
      send: (m: { to: string; source?: Buffer }): Promise<void> => {
        sent.push(`${m.to} ${m.source?.length ?? 0}`);
        return Promise.resolve();
      },
      close: (): Promise<void> => Promise.resolve(),
    };
    const config = { productName: 'Acme', origin: 'https://id.acme.test', mailFrom: 'Acme <no-reply@id.acme.test>' };
    const deliverer = createMailDeliverer({ transport, config });
    const row = (payload: unknown): OutboxMessage => ({ id: 'row1', kind: 'mail', payload, attempts: 1, createdAt: new Date() });
    const link = 'https://id.acme.test/reset#token=t0k3n';
    await deliverer.deliver(row({ to: 'known@example.test', template: 'recovery', vars: { link } }));
    await deliverer.deliver(row({ to: 'unknown@example.test', template: 'recovery', vars: { link }, decoy: true }));
    // The real mail reaches the transport composed (its bytes); the decoy reaches nothing.
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^known@example\.test [1-9]\d{2,}$/);
    // Rendered: a link off the origin fails a decoy the way it fails a real mail.
    await expect(deliverer.deliver(row({ to: 'unknown@example.test', template: 'recovery', vars: { link: 'https://evil.test/reset' }, decoy: true }))).rejects.toThrow(/origin/);
    // Checked: the flag is true or absent, nothing else.
    await expect(deliverer.deliver(row({ to: 'unknown@example.test', template: 'recovery', vars: { link }, decoy: 'yes' }))).rejects.toThrow(/decoy/);
    expect(sent).toHaveLength(1);
  });
});
