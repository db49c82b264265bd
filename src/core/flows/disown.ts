import type { GuardedFlow } from './flow.js';
import { BAD_TOKEN, reply } from './reply.js';
import { recordEvent, tokenLink } from './context.js';
import { parseToken } from './verify.js';
import type { TokenInput } from './verify.js';

export const DISOWNED = reply(200, {
  status: 'signed_out_everywhere',
  message: 'Every session of your account was signed out. Check your inbox for a link to choose a new password.',
});

/**
 * The "this wasn't me" link of an owner notice: spends its token, signs every
 * session out, revokes every other token, and starts a reset (a link to the
 * stored address). The link of the TOTP-added notice removes TOTP as well, so
 * whoever added it cannot hold the reset. Both purposes are looked up for every
 * token, so a bad token costs what a good one does.
 */
export const disownConfirm: GuardedFlow<TokenInput> = {
  name: 'disown.confirm',
  guard: { action: 'confirm', identifier: () => null, silentReply: BAD_TOKEN },
  parse: parseToken,
  async run(deps, input, meta) {
    return deps.store.transaction(async (tx) => {
      const plain = await deps.tokens.consume(tx.tokens, input.token, 'disown');
      const withTotp = await deps.tokens.consume(tx.tokens, input.token, 'disown_totp');
      const record = plain ?? withTotp;
      const identity = record?.identityId == null ? null : await tx.identities.findById(record.identityId);
      if (identity === null) return { reply: BAD_TOKEN };
      const now = new Date(deps.clock.now());
      await tx.sessions.deleteAllFor(identity.id);
      if (withTotp !== null) await tx.secondFactors.disable(identity.id, now);
      await tx.tokens.revokeAllFor(identity.id, identity.email);
      const token = await deps.tokens.issue(tx.tokens, 'recovery', { identityId: identity.id, email: identity.email }, deps.settings.recoveryTtlMs);
      await tx.outbox.enqueue('mail', { to: identity.email, template: 'recovery', vars: { link: tokenLink(deps.settings, 'reset', token) } });
      await recordEvent(tx, deps, meta, { name: 'users.disown', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true, attrs: { totp_removed: withTotp !== null } });
      return { reply: DISOWNED, clearSession: true };
    });
  },
};
