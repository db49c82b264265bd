import { validationError } from '../../kernel/errors.js';
import { normalizeIdentifier } from '../identifier.js';
import { MAX_PASSWORD_LENGTH } from '../password-policy.js';
import type { GuardedFlow } from './flow.js';
import { errorReplyOf, reply } from './reply.js';
import { recordEvent } from './context.js';
import { signInOrSecondStep } from './second-factor.js';

export const LOGIN_OK = reply(200, { status: 'signed_in', message: 'You are signed in.' });
/** The one failure: unknown address, wrong password and not-yet-confirmed address alike. */
export const LOGIN_FAILED = errorReplyOf('HUSH_LOGIN_FAILED');

export interface LoginInput {
  email: string;
  password: string;
}

/**
 * argon2id verify against the stored hash, or the dummy hash for an unknown
 * address or an identity without a password; rehash when parameters changed.
 * The hash runs outside any transaction (it is slow, and the embedded store is one connection).
 *
 * An identity not yet confirmed fails like an unknown address, even with the
 * right password, and nothing is mailed: whoever chose that password has not
 * proved the mailbox (it may be anyone who typed the address), so a different
 * reply would tell them the address was free before they signed it up.
 */
export const login: GuardedFlow<LoginInput> = {
  name: 'login',
  guard: {
    action: 'login',
    identifier: (input) => input.email,
    silentReply: LOGIN_FAILED,
    // A failure counts for unknown addresses too: the limits see a failure, not an account.
    async after(guards, outcome, input, meta) {
      if (outcome.reply === LOGIN_FAILED) await guards.loginFailed(meta.ip, input.email);
      else if (outcome.reply === LOGIN_OK) await guards.loginSucceeded(meta.ip, input.email);
    },
  },
  parse(input) {
    const email = normalizeIdentifier(input.email);
    const password = input.password;
    if (typeof password !== 'string' || password.length === 0) throw validationError('password', 'is required');
    if (password.length > MAX_PASSWORD_LENGTH * 4) throw validationError('password', `must be at most ${MAX_PASSWORD_LENGTH} characters`);
    return { email, password };
  },
  async run(deps, input, meta) {
    const identity = await deps.store.identities.findByEmail(input.email);
    const ok = await deps.hasher.verify(identity?.passwordHash ?? null, input.password);
    if (!ok || identity === null || identity.verifiedAt === null) {
      // One row is one statement, atomic on its own: no transaction (BEGIN and COMMIT would double the queries of a failure).
      await recordEvent(deps.store, deps, meta, {
        name: 'users.login.failure',
        'usr.login': input.email,
        'usr.exists': identity !== null,
        ...(identity ? { 'usr.id': identity.id } : {}),
        ...(ok && identity?.verifiedAt === null ? { attrs: { reason: 'unverified' } } : {}),
      });
      return { reply: LOGIN_FAILED };
    }
    const rehash = identity.passwordHash !== null && deps.hasher.needsRehash(identity.passwordHash) ? await deps.hasher.hash(input.password) : null;
    return deps.store.transaction(async (tx) => {
      if (rehash !== null) await tx.identities.setPassword(identity.id, rehash, new Date(deps.clock.now()));
      // An account with TOTP gets the second step, only now that the password was right.
      return signInOrSecondStep(tx, deps, identity, meta, 'password', LOGIN_OK);
    });
  },
};
