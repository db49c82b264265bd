import { normalizeIdentifier } from '../identifier.js';
import type { GuardedFlow } from './flow.js';
import { reply } from './reply.js';
import { pageLink, recordEvent, returnToOf, tokenLink } from './context.js';

/** The one reply of sign-up, whether the address was new, pending or already registered. */
export const SIGNUP_ACCEPTED = reply(202, {
  status: 'accepted',
  message: 'Check your inbox: we have sent a message to that address with the next step.',
});

export interface SignupInput {
  email: string;
  /** An accepted `return_to`, carried by the mailed link whichever mail it is (core/return-to.ts). */
  returnTo: string | null;
}

/**
 * Sign-up proves the mailbox before any password exists (design.md §2): it
 * takes an address only, and mails it.
 *
 * - New address: a verification link whose token is bound to the normalized
 *   address. No identity exists until the link is used (`verify` creates it).
 * - Known but never confirmed (an identity from before sign-up worked this
 *   way): a verification link for that identity.
 * - Confirmed address: a mail to the stored address saying an account exists;
 *   nothing changes. A token is minted and thrown away and a revoking
 *   statement runs, so this path does the work and draws the randomness the
 *   others do (design.md §4.2).
 *
 * Whoever opens the link is signed in and then chooses a password (a fresh
 * session may set a first one without a current one). A password sent with the
 * sign-up by an old client is ignored: never validated, hashed or stored, so
 * whoever types an address they do not own can never fix its password.
 */
export const signup: GuardedFlow<SignupInput> = {
  name: 'signup',
  guard: { action: 'signup', identifier: (input) => input.email, silentReply: SIGNUP_ACCEPTED },
  parse: (input, deps) => ({ email: normalizeIdentifier(input.email), returnTo: returnToOf(input, deps.settings) }),
  async run(deps, input, meta) {
    await deps.store.transaction(async (tx) => {
      const existing = await tx.identities.findByEmail(input.email);
      if (existing !== null && existing.verifiedAt !== null) {
        deps.tokens.mint();
        await tx.tokens.revoke('verify', { identifier: input.email });
        await tx.outbox.enqueue('mail', {
          to: existing.email,
          template: 'account-exists',
          vars: { loginLink: pageLink(deps.settings, 'login', input.returnTo), resetLink: pageLink(deps.settings, 'forgot', input.returnTo) },
        });
      } else {
        const subject = existing === null ? { identifier: input.email } : { identityId: existing.id };
        const token = await deps.tokens.issue(tx.tokens, 'verify', subject, deps.settings.verifyTtlMs);
        await tx.outbox.enqueue('mail', { to: existing?.email ?? input.email, template: 'verify', vars: { link: tokenLink(deps.settings, 'verify', token, input.returnTo) } });
      }
      await recordEvent(tx, deps, meta, { name: 'users.signup', 'usr.login': input.email, 'usr.exists': existing !== null });
    });
    return { reply: SIGNUP_ACCEPTED };
  },
};
