import { MAIL_TEMPLATES, PermanentDeliveryError } from '../core/outbox.js';
import type { MailPayload, MailTemplate } from '../core/outbox.js';
import { html } from './html.js';
import type { SafeHtml } from './html.js';
import { accountNotice } from './notices.js';

export { MAIL_TEMPLATES } from '../core/outbox.js';
export type { MailPayload, MailTemplate } from '../core/outbox.js';

/** The outbox kind of mail rows. */
export const MAIL_KIND = 'mail' as const;

export interface MailBranding {
  productName: string;
  /** The configured public origin; every link must start with it (design.md §4.3). */
  origin: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function isMailTemplate(name: unknown): name is MailTemplate {
  return typeof name === 'string' && (MAIL_TEMPLATES as readonly string[]).includes(name);
}

/** Checks a row's payload; a malformed one can never succeed, so it fails permanently. */
export function parseMailPayload(payload: unknown): MailPayload {
  if (typeof payload !== 'object' || payload === null) throw new PermanentDeliveryError('mail payload is not an object');
  const p = payload as Record<string, unknown>;
  if (typeof p.to !== 'string' || !/^[^\s@<>,;"]+@[^\s@<>,;"]+$/.test(p.to)) throw new PermanentDeliveryError('mail payload has no valid "to" address');
  if (!isMailTemplate(p.template)) throw new PermanentDeliveryError('mail payload names an unknown template');
  const vars = p.vars ?? {};
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) throw new PermanentDeliveryError('mail payload "vars" is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v !== 'string') throw new PermanentDeliveryError(`mail var "${k}" is not a string`);
    out[k] = v;
  }
  if (p.decoy !== undefined && p.decoy !== true) throw new PermanentDeliveryError('mail payload "decoy" is not true');
  return { to: p.to, template: p.template, vars: out, ...(p.decoy === true ? { decoy: true as const } : {}) };
}

/** One call to action: a button in HTML, a bare line in text. */
export interface Action {
  label: string;
  link: string;
}

export interface Body {
  subject: string;
  /** Paragraphs before the actions. */
  intro: string[];
  actions: Action[];
  /** Paragraphs after the actions: what to do next, and what to do if it was not you. */
  outro: string[];
}

/**
 * Renders a mail. Throws PermanentDeliveryError when a required link is
 * missing or any link does not start with the configured origin: a link
 * elsewhere would be a phishing vector, so it is refused here as well as
 * where links are built.
 */
export function renderMail(payload: Pick<MailPayload, 'template' | 'vars'>, brand: MailBranding): RenderedMail {
  checkLinks(payload.vars, brand.origin);
  const body = compose(payload.template, payload.vars, brand);
  // A header never spans lines, whatever the product name holds.
  const subject = body.subject.replace(/[\r\n\t]+/g, ' ');
  return { subject, text: toText(body, brand), html: toHtml(body, brand).value };
}

function checkLinks(vars: Record<string, string>, origin: string): void {
  for (const [key, value] of Object.entries(vars)) {
    if (!/link$/i.test(key) && !value.includes('://')) continue;
    if (!(value === origin || value.startsWith(`${origin}/`)) || /[\s<>"]/.test(value)) {
      throw new PermanentDeliveryError(`mail var "${key}" is not a link on the configured origin`);
    }
  }
}

function required(vars: Record<string, string>, key: string): string {
  const v = vars[key];
  if (v === undefined || v === '') throw new PermanentDeliveryError(`mail var "${key}" is missing`);
  return v;
}

function expiry(vars: Record<string, string>): string {
  const e = vars.expiresIn;
  return e !== undefined && /^[\w .,-]{1,40}$/.test(e) ? ` within ${e}` : '';
}

function compose(template: MailTemplate, vars: Record<string, string>, brand: MailBranding): Body {
  const p = brand.productName;
  const ifNotYouReset = (link: string | undefined): Pick<Body, 'actions' | 'outro'> => ({
    actions: [{ label: 'Reset your password', link: link ?? brand.origin }],
    outro: ['If you did this, there is nothing else to do. If you did not, reset your password now with the button above: someone else may know it.'],
  });
  switch (template) {
    case 'verify':
      return {
        subject: `Confirm your email address for ${p}`,
        intro: [`Someone, hopefully you, asked to create a ${p} account with this email address.`],
        actions: [{ label: 'Confirm my address and choose a password', link: required(vars, 'link') }],
        outro: [
          `Open the link${expiry(vars)} to confirm your address and sign in; you then choose your password. It works once.`,
          'If you did not sign up, ignore this message: no account is opened without the link.',
        ],
      };
    case 'account-exists':
      return {
        subject: `Someone tried to sign up to ${p} with your address`,
        intro: [`Someone, hopefully you, tried to create a ${p} account with this email address, but you already have one.`],
        actions: [
          { label: 'Sign in', link: required(vars, 'loginLink') },
          { label: 'Reset my password', link: required(vars, 'resetLink') },
        ],
        outro: ['Sign in with your password, or reset it if you have forgotten it.', 'If you did not try to sign up, ignore this message: your account has not changed.'],
      };
    case 'recovery':
      return {
        subject: `Reset your ${p} password`,
        intro: [`Someone, hopefully you, asked to reset the password of your ${p} account.`],
        actions: [{ label: 'Choose a new password', link: required(vars, 'link') }],
        outro: [`Open the link${expiry(vars)} and choose a new password. It works once.`, 'If you did not ask, ignore this message: your password stays as it is.'],
      };
    case 'password-changed':
      return {
        subject: `Your ${p} password was changed`,
        intro: [`The password of your ${p} account was just changed, and your other sessions were signed out.`],
        ...ifNotYouReset(vars.link),
      };
    case 'magic-link':
      return {
        subject: `Your ${p} sign-in link`,
        intro: [`Someone, hopefully you, asked for a link to sign in to ${p}.`],
        actions: [{ label: `Sign in to ${p}`, link: required(vars, 'link') }],
        outro: [`Open the link${expiry(vars)} to sign in. It works once.`, 'If you did not ask for it, ignore this message: nobody can sign in without the link.'],
      };
    case 'magic-signup':
      return {
        subject: `Finish creating your ${p} account`,
        intro: [`Someone, hopefully you, asked for a sign-in link for this email address, which has no ${p} account yet.`],
        actions: [{ label: 'Create my account', link: required(vars, 'link') }],
        outro: [`Open the link${expiry(vars)} to create your account and sign in. It works once.`, 'If you did not ask, ignore this message: no account will be created.'],
      };
    case 'password-set-notice':
      return {
        subject: `A password was set on your ${p} account`,
        intro: [`A password was just set on your ${p} account. You can now sign in with it as well as with links sent by mail.`],
        ...ifNotYouReset(vars.link),
      };
    case 'account-notice':
      return accountNotice(vars, p, required(vars, 'link'));
  }
}

function toText(body: Body, brand: MailBranding): string {
  const lines: string[] = [...body.intro, ''];
  for (const a of body.actions) lines.push(`${a.label}:`, a.link, '');
  lines.push(...body.outro.flatMap((p) => [p, '']));
  // The footer names the host without a link, so a mail's links are exactly its actions.
  lines.push(`-- `, `${brand.productName} (${new URL(brand.origin).host})`);
  return `${lines.join('\n')}\n`;
}

function toHtml(body: Body, brand: MailBranding): SafeHtml {
  const para = (t: string): SafeHtml => html`<p style="margin:0 0 16px">${t}</p>`;
  const button = (a: Action): SafeHtml =>
    html`<p style="margin:0 0 16px"><a href="${a.link}" style="display:inline-block;padding:10px 18px;background:#3b3f9e;color:#ffffff;text-decoration:none;border-radius:4px">${a.label}</a></p>
<p style="margin:0 0 16px;font-size:13px;color:#555555">Or copy this address into your browser: <a href="${a.link}">${a.link}</a></p>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${body.subject}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a">
<div style="max-width:560px;margin:0 auto;padding:24px">
${body.intro.map(para)}
${body.actions.map(button)}
${body.outro.map(para)}
<p style="margin:24px 0 0;font-size:13px;color:#555555">${brand.productName} · ${new URL(brand.origin).host}</p>
</div></body></html>
`;
}
