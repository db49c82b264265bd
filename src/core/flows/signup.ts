import { randomId } from '../../kernel/random.js';
import { normalizeIdentifier } from '../identifier.js';
import type { GuardedFlow } from './flow.js';
import { reply } from './reply.js';
import { pageLink, recordEvent, tokenLink } from './context.js';

/** The one reply of sign-up, whether the address was new, pending or already registered. */
export const SIGNUP_ACCEPTED = reply(202, {
  status: 'accepted',
  message: 'Check your inbox: we have sent a message to that address with the next step.',
});

export interface SignupInput {
  email: string;
  password: string;
}

/**
 * New address: a pending identity and a verification mail. Verified address:
 * a mail to the stored address saying an account exists; nothing changes.
 * Pending (unverified) address: two people have now claimed it and neither
 * has proved it, so neither password is kept: the identity's password is
 * cleared and a fresh verification mail goes out. Whoever owns the mailbox
 * confirms it, is signed in, and sets a password then (a fresh session may set
 * one without a current password). Keeping either password would let an
 * attacker who signs up before or after the owner take the account when the
 * owner confirms it. The password is hashed on every path.
 */
export const signup: GuardedFlow<SignupInput> = {
  name: 'signup',
  guard: { action: 'signup', identifier: (input) => input.email, silentReply: SIGNUP_ACCEPTED },
  parse: (input, deps) => ({ email: normalizeIdentifier(input.email), password: deps.policy.check(input.password) }),
  async run(deps, input, meta) {
    const passwordHash = await deps.hasher.hash(input.password);
    const now = new Date(deps.clock.now());
    await deps.store.transaction(async (tx) => {
      const existing = await tx.identities.findByEmail(input.email);
      if (existing !== null && existing.verifiedAt !== null) {
        await tx.outbox.enqueue('mail', {
          to: existing.email,
          template: 'account-exists',
          vars: { loginLink: pageLink(deps.settings, 'login'), resetLink: pageLink(deps.settings, 'forgot') },
        });
      } else {
        let identityId: string;
        if (existing === null) {
          const created = await tx.identities.create({ id: randomId(deps.random), email: input.email, passwordHash, verifiedAt: null, createdAt: now });
          // A concurrent sign-up for the same address won the insert; it sends its own mail.
          identityId = created?.id ?? '';
        } else {
          await tx.identities.setPassword(existing.id, null, now);
          identityId = existing.id;
        }
        if (identityId !== '') {
          const token = await deps.tokens.issue(tx.tokens, 'verify', { identityId }, deps.settings.verifyTtlMs);
          await tx.outbox.enqueue('mail', { to: input.email, template: 'verify', vars: { link: tokenLink(deps.settings, 'verify', token) } });
        }
      }
      await recordEvent(tx, deps, meta, { name: 'users.signup', 'usr.login': input.email, 'usr.exists': existing !== null });
    });
    return { reply: SIGNUP_ACCEPTED };
  },
};
