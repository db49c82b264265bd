import { normalizeIdentifier } from '../identifier.js';
import type { GuardedFlow } from './flow.js';
import { BAD_TOKEN, reply } from './reply.js';
import { recordEvent, returnToOf, tokenLink } from './context.js';
import { parseToken } from './verify.js';
import type { FlowDeps, Outcome, RequestMeta } from './context.js';
import { parseFactor } from '../second-factor.js';
import type { FactorInput } from '../second-factor.js';
import { factorRefusal } from './second-factor.js';
import { notifyOwner } from './notices.js';

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
 * the same work: a token minted and discarded, the same statements, and a
 * decoy mail row that the outbox renders and composes like the real one and
 * then drops (core/outbox.ts), so the work after the reply is equal too.
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
        const { token } = deps.tokens.mint();
        await tx.tokens.revoke('recovery', { identifier: input.email });
        await tx.outbox.enqueue('mail', { to: identity?.email ?? input.email, template: 'recovery', vars: { link: tokenLink(deps.settings, 'reset', token, input.returnTo) }, decoy: true });
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
  /** For an account with TOTP: a code or a recovery code (the reset link alone is one factor). */
  factor: FactorInput;
}

/** Thrown inside the transaction to undo the token's spend when the second factor did not pass. */
class FactorRefused extends Error {
  constructor(readonly check: 'wrong' | 'missing' | 'locked', readonly identityId: string) {
    super('second factor refused');
  }
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
  parse: (input, deps) => ({ token: parseToken(input).token, password: deps.policy.check(input.password), factor: parseFactor(input) }),
  async run(deps, input, meta) {
    // Before the token is looked at: the same check, and cost, for every token.
    await deps.breached?.check(input.password);
    const passwordHash = await deps.hasher.hash(input.password);
    try {
      return await confirmInTransaction(deps, input, meta, passwordHash);
    } catch (err) {
      if (!(err instanceof FactorRefused)) throw err;
      // The token's spend was rolled back: the link still works with the right code. A wrong code counts, outside that transaction.
      if (err.check === 'wrong') await deps.secondFactor.recordFailure(deps.store.secondFactors, err.identityId);
      return { reply: factorRefusal(err.check) };
    }
  },
};

async function confirmInTransaction(deps: FlowDeps, input: RecoveryConfirmInput, meta: RequestMeta, passwordHash: string): Promise<Outcome> {
    return deps.store.transaction(async (tx) => {
      const record = await deps.tokens.consume(tx.tokens, input.token, 'recovery');
      const identity = record?.identityId == null ? null : await tx.identities.findById(record.identityId);
      if (identity === null) return { reply: BAD_TOKEN };
      let usedRecoveryCode = false;
      if (identity.totpEnabled) {
        const check = await deps.secondFactor.check(tx.secondFactors, identity.id, input.factor);
        if (check !== 'totp' && check !== 'recovery_code') throw new FactorRefused(check, identity.id);
        usedRecoveryCode = check === 'recovery_code';
        await tx.secondFactors.clearFailures(identity.id);
      }
      await tx.identities.setPassword(identity.id, passwordHash, new Date(deps.clock.now()));
      // With the address: a magic link asked for before the account existed goes too. Only a spent,
      // valid token gets here (it proves the account), so no unknown-account path is to be matched.
      await tx.tokens.revokeAllFor(identity.id, identity.email);
      await tx.sessions.deleteAllFor(identity.id);
      await tx.outbox.enqueue('mail', { to: identity.email, template: 'password-changed', vars: { link: `${deps.settings.origin}/forgot` } });
      if (usedRecoveryCode) await notifyOwner(tx, deps, identity, 'recovery-code-used', meta);
      await recordEvent(tx, deps, meta, { name: 'users.password_reset.success', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true });
      return { reply: RECOVERY_DONE, clearSession: true };
    });
}
