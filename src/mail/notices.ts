import { PermanentDeliveryError } from '../core/outbox.js';
import type { Body } from './templates.js';

/** What each owner notice says (core/flows/notices.ts queues them). */
const NOTICES: Record<string, (p: string, device: string) => { subject: string; intro: string }> = {
  'new-device': (p, d) => ({ subject: `New sign-in to your ${p} account`, intro: `Your ${p} account was just signed in to from a device it has not been used on before: ${d}.` }),
  'totp-enabled': (p, d) => ({ subject: `An authenticator app was added to your ${p} account`, intro: `An authenticator app was just set up on your ${p} account (from ${d}). Signing in now asks for its code.` }),
  'totp-disabled': (p, d) => ({ subject: `The authenticator app was removed from your ${p} account`, intro: `The authenticator app was just removed from your ${p} account (from ${d}). Signing in no longer asks for a code.` }),
  'recovery-code-used': (p, d) => ({ subject: `A recovery code was used on your ${p} account`, intro: `One of the recovery codes of your ${p} account was just used (from ${d}). It cannot be used again.` }),
  'recovery-codes-regenerated': (p, d) => ({ subject: `New recovery codes for your ${p} account`, intro: `New recovery codes were just made for your ${p} account (from ${d}); the old ones no longer work.` }),
};

/** An owner notice: what happened, and a "this wasn't me" link that signs every session out and starts a reset. */
export function accountNotice(vars: Record<string, string>, productName: string, link: string): Body {
  const kind = vars.kind ?? '';
  const text = NOTICES[kind];
  if (text === undefined) throw new PermanentDeliveryError('account-notice names an unknown kind');
  const device = /^[\w .()-]{1,60}$/.test(vars.device ?? '') ? (vars.device ?? '') : 'an unknown device';
  const { subject, intro } = text(productName, device);
  return {
    subject,
    intro: [intro],
    actions: [{ label: "This wasn't me", link }],
    outro: [
      'If you did this, there is nothing to do.',
      "If you did not, use the button above: it signs every session of your account out and mails you a link to choose a new password. It works once.",
    ],
  };
}
