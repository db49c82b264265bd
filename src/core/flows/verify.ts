import { validationError } from '../../kernel/errors.js';
import { randomId } from '../../kernel/random.js';
import type { GuardedFlow } from './flow.js';
import { BAD_TOKEN, reply } from './reply.js';
import { signInOrSecondStep } from './second-factor.js';
import { describeDevice } from '../device.js';
import { recordEvent } from './context.js';
import type { NewSession } from './context.js';

export const VERIFIED = reply(200, { status: 'signed_in', message: 'Your address is confirmed and you are signed in.' });

export interface TokenInput {
  token: string;
}

/** Reads the `token` field: required, but any non-empty string is looked up (malformed ones fail like unknown ones). */
export function parseToken(input: Readonly<Record<string, unknown>>): TokenInput {
  const token = input.token;
  if (typeof token !== 'string' || token.length === 0) throw validationError('token', 'is required');
  if (token.length > 512) throw validationError('token', 'is longer than 512 characters');
  return { token };
}

/**
 * Spends a verification token: opening the link proved the mailbox. A token
 * bound to an address (a sign-up for an address with no account) creates the
 * identity, confirmed and without a password, or confirms the one that
 * appeared meanwhile (a magic link, or a concurrent verify that won the
 * insert); a token bound to an identity confirms it. An identity that was
 * unconfirmed loses any password it had: one set before anyone proved the
 * mailbox may be an attacker's (account pre-hijacking). Then it signs in;
 * the person chooses a password from that fresh session.
 */
export const verify: GuardedFlow<TokenInput> = {
  name: 'verify',
  // A silent verdict on a token flow (a blocked address) answers like a bad token.
  guard: { action: 'confirm', identifier: () => null, silentReply: BAD_TOKEN },
  parse: parseToken,
  async run(deps, input, meta) {
    return deps.store.transaction(async (tx) => {
      const record = await deps.tokens.consume(tx.tokens, input.token, 'verify');
      if (record === null) return { reply: BAD_TOKEN };
      const now = new Date(deps.clock.now());
      // Drawn for every spent token, whichever path follows: equal draws (design.md §4.2).
      const id = randomId(deps.random);
      let identity = record.identityId !== null ? await tx.identities.findById(record.identityId) : await tx.identities.findByEmail(record.identifier ?? '');
      let created = false;
      if (identity === null && record.identityId === null && record.identifier !== null) {
        identity = await tx.identities.create({ id, email: record.identifier, passwordHash: null, verifiedAt: now, createdAt: now });
        created = identity !== null;
        // Another request created it between the lookup and the insert (the insert waited for it and did nothing).
        identity ??= await tx.identities.findByEmail(record.identifier);
      }
      if (identity === null) return { reply: BAD_TOKEN };
      if (identity.verifiedAt === null) {
        await tx.identities.markVerified(identity.id, now);
        if (identity.passwordHash !== null) await tx.identities.setPassword(identity.id, null, now);
      }
      await recordEvent(tx, deps, meta, { name: 'users.verify', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true, ...(created ? { attrs: { created: true } } : {}) });
      // A confirmed account with TOTP (a stale link) signs in only with its code.
      if (identity.totpEnabled) return signInOrSecondStep(tx, deps, identity, meta, 'verify', VERIFIED);
      const session: NewSession = await deps.sessions.create(tx.sessions, identity.id, meta);
      // The device that opened the link is the account's first known one: a sign-in from another is news to the owner.
      await tx.secondFactors.rememberDevice(identity.id, describeDevice(meta.userAgent), now);
      return { reply: VERIFIED, session };
    });
  },
};
