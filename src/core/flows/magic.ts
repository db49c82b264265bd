import { randomId } from '../../kernel/random.js';
import { normalizeIdentifier } from '../identifier.js';
import type { GuardedFlow } from './flow.js';
import { BAD_TOKEN, reply } from './reply.js';
import { signInOrSecondStep } from './second-factor.js';
import { recordEvent, returnToOf, tokenLink } from './context.js';
import { parseToken } from './verify.js';
import type { TokenInput } from './verify.js';

export const MAGIC_ACCEPTED = reply(202, { status: 'accepted', message: 'Check your inbox for a sign-in link. It works once and expires soon.' });
export const MAGIC_SIGNED_IN = reply(200, { status: 'signed_in', message: 'You are signed in.' });

/**
 * Login-or-create: a registered address gets a sign-in link; an unknown one
 * gets a link that creates the account when used (a token bound to the
 * normalized address; no identity exists until then). Both paths mail.
 */
export const magicRequest: GuardedFlow<{ email: string; returnTo: string | null }> = {
  name: 'magic.request',
  guard: { action: 'magic-link', identifier: (input) => input.email, silentReply: MAGIC_ACCEPTED },
  parse: (input, deps) => ({ email: normalizeIdentifier(input.email), returnTo: returnToOf(input, deps.settings) }),
  async run(deps, input, meta) {
    await deps.store.transaction(async (tx) => {
      const identity = await tx.identities.findByEmail(input.email);
      // A registered address also revokes a link asked for before the account existed (bound to the address).
      // Either path issues with one revoking statement and one insert: the same work.
      const subject = identity === null ? { identifier: input.email } : { identityId: identity.id, email: identity.email };
      const token = await deps.tokens.issue(tx.tokens, 'magic', subject, deps.settings.magicTtlMs);
      await tx.outbox.enqueue('mail', {
        to: identity?.email ?? input.email,
        template: identity === null ? 'magic-signup' : 'magic-link',
        vars: { link: tokenLink(deps.settings, 'magic', token, input.returnTo) },
      });
      await recordEvent(tx, deps, meta, { name: 'users.magic_link', 'usr.login': input.email, 'usr.exists': identity !== null });
    });
    return { reply: MAGIC_ACCEPTED };
  },
};

/**
 * Spends a magic-link token and signs in, creating the identity if the token
 * names an address with no account. Following the link proves the mailbox, so
 * an unconfirmed identity becomes confirmed, and a password set before anyone
 * proved the address is dropped (it may be an attacker's).
 */
export const magicConfirm: GuardedFlow<TokenInput> = {
  name: 'magic.confirm',
  guard: { action: 'confirm', identifier: () => null, silentReply: BAD_TOKEN },
  parse: parseToken,
  async run(deps, input, meta) {
    return deps.store.transaction(async (tx) => {
      const record = await deps.tokens.consume(tx.tokens, input.token, 'magic');
      if (record === null) return { reply: BAD_TOKEN };
      const now = new Date(deps.clock.now());
      let identity = record.identityId !== null ? await tx.identities.findById(record.identityId) : await tx.identities.findByEmail(record.identifier ?? '');
      let created = false;
      if (identity === null && record.identifier !== null) {
        identity = await tx.identities.create({ id: randomId(deps.random), email: record.identifier, passwordHash: null, verifiedAt: now, createdAt: now });
        created = identity !== null;
      }
      if (identity === null) return { reply: BAD_TOKEN };
      if (identity.verifiedAt === null) {
        await tx.identities.markVerified(identity.id, now);
        if (identity.passwordHash !== null) await tx.identities.setPassword(identity.id, null, now);
      }
      if (created) await recordEvent(tx, deps, meta, { name: 'users.signup', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': false, attrs: { method: 'magic_link' } });
      // The mailbox is one factor: an account with TOTP still needs its code.
      return signInOrSecondStep(tx, deps, identity, meta, 'magic_link', MAGIC_SIGNED_IN);
    });
  },
};
