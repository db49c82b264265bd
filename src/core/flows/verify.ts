import { validationError } from '../../kernel/errors.js';
import type { GuardedFlow } from './flow.js';
import { BAD_TOKEN, reply } from './reply.js';
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

/** Spends a verification token, activates the identity and signs it in. */
export const verify: GuardedFlow<TokenInput> = {
  name: 'verify',
  // A silent verdict on a token flow (a blocked address) answers like a bad token.
  guard: { action: 'confirm', identifier: () => null, silentReply: BAD_TOKEN },
  parse: parseToken,
  async run(deps, input, meta) {
    return deps.store.transaction(async (tx) => {
      const record = await deps.tokens.consume(tx.tokens, input.token, 'verify');
      const identity = record?.identityId == null ? null : await tx.identities.findById(record.identityId);
      if (identity === null) return { reply: BAD_TOKEN };
      await tx.identities.markVerified(identity.id, new Date(deps.clock.now()));
      const session: NewSession = await deps.sessions.create(tx.sessions, identity.id, meta);
      await recordEvent(tx, deps, meta, { name: 'users.verify', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true });
      return { reply: VERIFIED, session };
    });
  },
};
