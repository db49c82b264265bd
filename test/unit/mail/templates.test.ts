import { describe, expect, it } from 'vitest';
import { PermanentDeliveryError } from '../../../src/core/outbox.js';
import { MAIL_TEMPLATES, parseMailPayload, renderMail } from '../../../src/mail/templates.js';
import type { MailTemplate } from '../../../src/mail/templates.js';
import { escapeHtml, html } from '../../../src/mail/html.js';

const brand = { productName: 'Acme', origin: 'https://id.acme.test' };
const link = 'https://id.acme.test/reset#token=abc123';
const varsFor = (t: MailTemplate): Record<string, string> =>
  t === 'account-exists'
    ? { loginLink: 'https://id.acme.test/login', resetLink: 'https://id.acme.test/reset' }
    : t === 'account-notice'
      ? { kind: 'new-device', device: 'Firefox on Linux', link: 'https://id.acme.test/disown#token=abc123' }
      : { link, expiresIn: '30 minutes' };

describe('mail templates', () => {
  it.each(MAIL_TEMPLATES)('%s renders text and HTML with the product name, origin and every link', (template) => {
    const vars = varsFor(template);
    const m = renderMail({ template, vars }, brand);
    expect(m.subject).toContain('Acme');
    expect(m.text).toContain('https://id.acme.test');
    expect(m.html).toMatch(/^<!doctype html>/);
    for (const [k, v] of Object.entries(vars)) if (k.endsWith('ink')) {
      expect(m.text).toContain(v);
      expect(m.html).toContain(`href="${escapeHtml(v)}"`);
    }
    // Each mail says what to do if it was not you.
    expect(m.text).toMatch(/If you did not|If you did this/);
  });

  it.each(['new-device', 'totp-enabled', 'totp-disabled', 'recovery-code-used', 'recovery-codes-regenerated'])('the %s notice names the device and carries the "this wasn\'t me" link', (kind) => {
    const m = renderMail({ template: 'account-notice', vars: { kind, device: 'Firefox on Linux', link: 'https://id.acme.test/disown#token=abc' } }, brand);
    expect(m.text).toContain('Firefox on Linux');
    expect(m.text).toContain("This wasn't me:\nhttps://id.acme.test/disown#token=abc");
  });

  it('refuses a notice of an unknown kind, and names a device it cannot vouch for as unknown', () => {
    expect(() => renderMail({ template: 'account-notice', vars: { kind: 'other', link } }, brand)).toThrow(PermanentDeliveryError);
    const m = renderMail({ template: 'account-notice', vars: { kind: 'new-device', device: '<script>', link } }, brand);
    expect(m.text).toContain('an unknown device');
  });

  it('escapes every variable in HTML by construction', () => {
    const m = renderMail({ template: 'recovery', vars: { link: 'https://x.test/r?a=1&b=2' } }, { productName: '<b>Acme</b> & "Co"', origin: 'https://x.test' });
    expect(m.html).not.toContain('<b>Acme</b>');
    expect(m.html).toContain('&lt;b&gt;Acme&lt;/b&gt; &amp; &quot;Co&quot;');
    expect(m.html).toContain('href="https://x.test/r?a=1&amp;b=2"');
    expect(html`<p>${'<script>'}</p>${html`<i>ok</i>`}`.value).toBe('<p>&lt;script&gt;</p><i>ok</i>');
  });

  it.each([
    ['another origin', 'https://evil.test/reset'],
    ['a look-alike host', 'https://id.acme.test.evil.test/reset'],
    ['a look-alike port', 'https://id.acme.test:444/reset'],
    ['another scheme', 'http://id.acme.test/reset'],
    ['an attribute break-out', 'https://id.acme.test/r"onmouseover="x'],
  ])('refuses a link on %s', (_name, bad) => {
    expect(() => renderMail({ template: 'recovery', vars: { link: bad } }, brand)).toThrow(PermanentDeliveryError);
    expect(() => renderMail({ template: 'account-exists', vars: { loginLink: 'https://id.acme.test/login', resetLink: bad } }, brand)).toThrow(PermanentDeliveryError);
  });

  it('refuses a URL hidden in a variable not named as a link', () => {
    expect(() => renderMail({ template: 'verify', vars: { link, note: 'https://evil.test/' } }, brand)).toThrow(PermanentDeliveryError);
  });

  it('refuses a template whose required link is missing, without naming its value', () => {
    expect(() => renderMail({ template: 'magic-link', vars: {} }, brand)).toThrow(/"link" is missing/);
    expect(() => renderMail({ template: 'account-exists', vars: { loginLink: 'https://id.acme.test/login' } }, brand)).toThrow(/"resetLink"/);
    try {
      renderMail({ template: 'recovery', vars: { link: 'https://evil.test/r#token=sekret' } }, brand);
    } catch (err) {
      expect(String(err)).not.toContain('sekret');
    }
  });

  it('keeps the subject on one line', () => {
    const m = renderMail({ template: 'magic-link', vars: { link } }, { ...brand, productName: 'Acme\r\nBcc: x@evil.test' });
    expect(m.subject).not.toMatch(/[\r\n]/);
  });

  it('notices without a link point to the origin', () => {
    const m = renderMail({ template: 'password-changed', vars: {} }, brand);
    expect(m.text).toContain('https://id.acme.test');
  });

  it('checks payloads and fails malformed ones permanently', () => {
    expect(parseMailPayload({ to: 'a@b.test', template: 'verify', vars: { link } })).toEqual({ to: 'a@b.test', template: 'verify', vars: { link } });
    for (const bad of [null, 'x', { to: 'not-an-address', template: 'verify', vars: {} }, { to: 'a@b.test', template: 'nope', vars: {} }, { to: 'a@b.test', template: 'verify', vars: { link: 1 } }, { to: 'a@b.test, c@d.test', template: 'verify', vars: {} }]) {
      expect(() => parseMailPayload(bad)).toThrow(PermanentDeliveryError);
    }
  });
});
