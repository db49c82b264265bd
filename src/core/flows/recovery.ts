import { normalizeIdentifier } from '../identifier.js';
import type { GuardedFlow } from './flow.js';
import { BAD_TOKEN, reply } from './reply.js';
import { recordEvent, returnToOf, tokenLink } from './context.js';
import { parseToken } from './verify.js';

/** The one reply of a reset request. It says what to do next, not what happened to any account. */
export const RECOVERY_ACCEPTED = reply(202, {
  status: 'accepted',
  message: 'Check your inbox for a link to reset your password. If no message arrives within a few minutes, check the address and try again.',
});
export const RECOVERY_DONE = reply(200, { status: 'password_changed', message: 'Your password has been changed. Sign in with your new password.' });

export interface RecoveryRequestInput {
  email: string;
  /** An accepted `return_to`, carried by the mailed link (core/return-to.ts). */
  returnTo: string | null;
}

/**
 * Verified identity: its older reset links are revoked, a new one (30 min)
 * is mailed to the stored address. Unknown or unconfirmed address: no mail,
 * the same work (a token minted and discarded, the same statements).
 */
export const recoveryRequest: GuardedFlow<RecoveryRequestInput> = {
  name: 'recovery.request',
  guard: { action: 'recovery', identifier: (input) => input.email, silentReply: RECOVERY_ACCEPTED },
  parse: (input, deps) => ({ email: normalizeIdentifier(input.email), returnTo: returnToOf(input, deps.settings) }),
  async run(deps, input, meta) {
    await deps.store.transaction(async (tx) => {
      const identity = await tx.identities.findByEmail(input.email);
      if (identity !== null && identity.verifiedAt !== null) {
        const token = await deps.tokens.issue(tx.tokens, 'recovery', { identityId: identity.id, email: identity.email }, deps.settings.recoveryTtlMs);
        await tx.outbox.enqueue('mail', { to: identity.email, template: 'recovery', vars: { link: tokenLink(deps.settings, 'reset', token, input.returnTo) } });
      } else {
        deps.tokens.mint();
        await tx.tokens.revoke('recovery', { identifier: input.email });
      }
      await recordEvent(tx, deps, meta, {
        name: 'users.password_reset',
        'usr.login': input.email,
        'usr.exists': identity !== null,
        ...(identity ? { 'usr.id': identity.id } : {}),
      });
    });
    return { reply: RECOVERY_ACCEPTED };
  },
};

export interface RecoveryConfirmInput {
  token: string;
  password: string;
}

/**
 * Spends the reset token atomically, sets the password, revokes every session
 * and token of the identity, and tells the owner their password changed. The
 * new password is hashed before the token is looked at, so a bad token costs
 * what a good one does.
 */
export const recoveryConfirm: GuardedFlow<RecoveryConfirmInput> = {
  name: 'recovery.confirm',
  guard: { action: 'confirm', identifier: () => null, silentReply: BAD_TOKEN },
  parse: (input, deps) => ({ token: parseToken(input).token, password: deps.policy.check(input.password) }),
  async run(deps, input, meta) {
    const passwordHash = await deps.hasher.hash(input.password);
    return deps.store.transaction(async (tx) => {
      const record = await deps.tokens.consume(tx.tokens, input.token, 'recovery');
      const identity = record?.identityId == null ? null : await tx.identities.findById(record.identityId);
      if (identity === null) return { reply: BAD_TOKEN };
      await tx.identities.setPassword(identity.id, passwordHash, new Date(deps.clock.now()));
      // With the address: a magic link asked for before the account existed goes too. Only a spent,
      // valid token gets here (it proves the account), so no unknown-account path is to be matched.
      await tx.tokens.revokeAllFor(identity.id, identity.email);
      await tx.sessions.deleteAllFor(identity.id);
      await tx.outbox.enqueue('mail', { to: identity.email, template: 'password-changed', vars: { link: `${deps.settings.origin}/forgot` } });
      await recordEvent(tx, deps, meta, { name: 'users.password_reset.success', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true });
      return { reply: RECOVERY_DONE, clearSession: true };
    });
  },
};
