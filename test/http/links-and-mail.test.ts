import { afterAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { testHush, tokenOf } from '../helpers/hush.js';
import { ManualClock } from '../../src/kernel/clock.js';

describe('links come from the configured origin only', () => {
  it('no request header can change a link in mail (Host, X-Forwarded-Host, Forwarded)', async () => {
    const t = await testHush({ HUSH_TRUST_PROXY: '0.0.0.0/0' });
    try {
      await t.request('/v1/signup', {
        json: { email: 'host@example.com', password: 'host header pass' },
        headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', forwarded: 'host=evil.example;proto=http', 'x-forwarded-proto': 'http' },
      });
      await t.request('/v1/magic-link', { json: { email: 'host@example.com' }, headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } });
      const links = (await t.mailbox()).flatMap((m) => m.links);
      expect(links.length).toBeGreaterThanOrEqual(2);
      for (const l of links) expect(l.startsWith('https://id.example.test/')).toBe(true);
      const raw = JSON.stringify(await t.mailbox());
      expect(raw).not.toContain('evil.example');
    } finally {
      await t.close();
    }
  });
});

describe('token lifetimes', () => {
  it('reset links expire after 30 minutes, magic links after 15, verification after 24 hours; a newer link revokes the older', async () => {
    const clock = new ManualClock(Date.now());
    const t = await testHush({}, { clock });
    try {
      await t.request('/v1/signup', { json: { email: 'ttl@example.com', password: 'lifetime passphrase' } });
      const verify = tokenOf(await t.linkFor('ttl@example.com', '/verify#'));
      clock.advance(24 * 3_600_000 + 1);
      expect((await t.request('/v1/verify', { json: { token: verify } })).status).toBe(400);
      await t.request('/v1/signup', { json: { email: 'ttl@example.com', password: 'lifetime passphrase' } });
      clock.advance(23 * 3_600_000);
      expect((await t.request('/v1/verify', { json: { token: tokenOf(await t.linkFor('ttl@example.com', '/verify#')) } })).status).toBe(200);

      await t.request('/v1/recovery', { json: { email: 'ttl@example.com' } });
      const first = tokenOf(await t.linkFor('ttl@example.com', '/reset#'));
      await t.request('/v1/recovery', { json: { email: 'ttl@example.com' } });
      const second = tokenOf(await t.linkFor('ttl@example.com', '/reset#'));
      expect(second).not.toBe(first);
      expect((await t.request('/v1/recovery/confirm', { json: { token: first, password: 'brand new passphrase' } })).status).toBe(400);
      clock.advance(30 * 60_000 + 1);
      expect((await t.request('/v1/recovery/confirm', { json: { token: second, password: 'brand new passphrase' } })).status).toBe(400);

      await t.request('/v1/magic-link', { json: { email: 'ttl@example.com' } });
      const magic = tokenOf(await t.linkFor('ttl@example.com', '/magic#'));
      clock.advance(15 * 60_000 + 1);
      expect((await t.request('/v1/magic-link/confirm', { json: { token: magic } })).status).toBe(400);
    } finally {
      await t.close();
    }
  });

  it('a reset revokes the magic links and sessions the identity had', async () => {
    const t = await testHush();
    try {
      await t.request('/v1/magic-link', { json: { email: 'rev@example.com' } });
      const s = await t.request('/v1/magic-link/confirm', { json: { token: tokenOf(await t.linkFor('rev@example.com', '/magic#')) } });
      const cookie = (s.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      await t.request('/v1/magic-link', { json: { email: 'rev@example.com' } });
      const pendingMagic = tokenOf(await t.linkFor('rev@example.com', '/magic#'));
      await t.request('/v1/recovery', { json: { email: 'rev@example.com' } });
      const reset = tokenOf(await t.linkFor('rev@example.com', '/reset#'));
      expect((await t.request('/v1/recovery/confirm', { json: { token: reset, password: 'reset passphrase' } })).status).toBe(200);
      expect((await t.request('/v1/session', { headers: { cookie } })).status).toBe(401);
      expect((await t.request('/v1/magic-link/confirm', { json: { token: pendingMagic } })).status).toBe(400);
    } finally {
      await t.close();
    }
  });
});

describe('mail through a real SMTP receiver', () => {
  const received: { to: string; data: string }[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), data });
        callback();
      });
    },
  });
  afterAll(() => new Promise<void>((r) => smtp.close(() => r())));

  it('delivers the verification and reset mail, with links on the origin and a stable Message-ID, and none for an unknown address', async () => {
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const port = (smtp.server.address() as AddressInfo).port;
    const t = await testHush({ SMTP_URL: `smtp://127.0.0.1:${port}`, HUSH_PRODUCT_NAME: 'Acme ID' });
    try {
      await t.request('/v1/signup', { json: { email: 'smtp@example.com', password: 'smtp passphrase' } });
      await t.deliver();
      const verifyMail = received.find((m) => m.to === 'smtp@example.com');
      expect(verifyMail?.data).toMatch(/^Subject: .*Acme ID/m);
      const decoded = (verifyMail?.data ?? '').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      const link = /https:\/\/id\.example\.test\/verify#token=([A-Za-z0-9_-]{43})/.exec(decoded);
      expect(link).not.toBeNull();
      expect((await t.request('/v1/verify', { json: { token: link?.[1] ?? '' } })).status).toBe(200);
      await t.request('/v1/recovery', { json: { email: 'smtp@example.com' } });
      await t.request('/v1/recovery', { json: { email: 'unknown-smtp@example.com' } });
      await t.deliver();
      expect(received.filter((m) => m.to === 'unknown-smtp@example.com')).toHaveLength(0);
      expect(received.filter((m) => m.to === 'smtp@example.com')).toHaveLength(2);
      expect(received.every((m) => /^Message-ID: <[^>]+@id\.example\.test>/im.test(m.data))).toBe(true);
    } finally {
      await t.close();
    }
  });
});
