import { HushError } from '../../kernel/errors.js';
import type { Identity } from '../identity.js';
import type { Repositories } from '../repositories.js';
import { parseFactor } from '../second-factor.js';
import type { FactorInput } from '../second-factor.js';
import { describeDevice } from '../device.js';
import type { GuardedFlow } from './flow.js';
import { errorReplyOf, reply } from './reply.js';
import type { Reply } from './reply.js';
import { recordEvent } from './context.js';
import type { FlowDeps, NewSession, Outcome, RequestMeta } from './context.js';
import { notifyOwner } from './notices.js';

/** A correct password for an account with TOTP: no session yet, a second step (its cookie) instead. */
export const SECOND_FACTOR_REQUIRED = reply(200, {
  status: 'second_factor_required',
  message: 'Enter the code from your authenticator app, or one of your recovery codes.',
  methods: ['totp', 'recovery_code'],
});
export const SECOND_FACTOR_INVALID = errorReplyOf('HUSH_SECOND_FACTOR_INVALID');
export const SECOND_STEP_EXPIRED = errorReplyOf('HUSH_SECOND_STEP_EXPIRED');
export const SECOND_FACTOR_MISSING = errorReplyOf('HUSH_SECOND_FACTOR_REQUIRED');
export const SECOND_FACTOR_LOCKED = errorReplyOf('HUSH_RATE_LIMITED');

/**
 * A session for an identity that has proved itself (a password, and a second
 * factor where it has one), with its event and, for a device it has not signed
 * in from before, an owner notice. In the caller's transaction.
 */
export async function openSession(tx: Repositories, deps: FlowDeps, identity: Identity, meta: RequestMeta, method: string): Promise<NewSession> {
  const session = await deps.sessions.create(tx.sessions, identity.id, meta);
  await recordEvent(tx, deps, meta, { name: 'users.login.success', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true, attrs: { method } });
  const now = new Date(deps.clock.now());
  // The first device is the one that signed up: only a later one is news.
  if ((await tx.secondFactors.rememberDevice(identity.id, describeDevice(meta.userAgent), now)) === 'new') await notifyOwner(tx, deps, identity, 'new-device', meta);
  return session;
}

/** The reply for a second factor that did not pass. */
export function factorRefusal(check: 'wrong' | 'missing' | 'locked'): Reply {
  return check === 'locked' ? SECOND_FACTOR_LOCKED : check === 'missing' ? SECOND_FACTOR_MISSING : SECOND_FACTOR_INVALID;
}

export interface SecondFactorLoginInput {
  /** The second step's cookie, put here by the HTTP layer (never read from the body). */
  step: string;
  factor: Exclude<FactorInput, null>;
}

/**
 * `POST /v1/login/second-factor`: the code (or a recovery code) for the
 * second step a correct password opened. Runs behind the login guards (each
 * guess counts against the login limits), and an account allows
 * `maxFailures` wrong codes per window whatever the addresses they came
 * from. A code is spent once (its step), a recovery code once (deleted),
 * the step once (deleted when the session opens).
 */
export const secondFactorLogin: GuardedFlow<SecondFactorLoginInput> = {
  name: 'login.second_factor',
  guard: {
    action: 'login',
    identifier: () => null,
    silentReply: SECOND_FACTOR_INVALID,
    async after(guards, outcome, _input, meta) {
      if (outcome.reply === SECOND_FACTOR_INVALID) await guards.loginFailed(meta.ip, '');
    },
  },
  parse(input) {
    const factor = parseFactor(input);
    if (factor === null) throw new HushError('HUSH_VALIDATION', { details: [{ field: 'code', reason: 'send code or recovery_code' }] });
    const step = typeof input.second_step === 'string' ? input.second_step : '';
    return { step, factor };
  },
  async run(deps, input, meta) {
    const sf = deps.secondFactor;
    const step = await sf.findStep(deps.store.secondFactors, input.step);
    const identity = step === null ? null : await deps.store.identities.findById(step.identityId);
    if (step === null || identity === null || !identity.totpEnabled) return { reply: SECOND_STEP_EXPIRED, clearSecondStep: true };
    const check = await sf.check(deps.store.secondFactors, identity.id, input.factor);
    if (check === 'wrong' || check === 'missing' || check === 'locked') {
      if (check === 'wrong') await sf.recordFailure(deps.store.secondFactors, identity.id);
      await recordEvent(deps.store, deps, meta, { name: 'users.login.failure', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true, attrs: { reason: `second_factor_${check}` } });
      return { reply: factorRefusal(check) };
    }
    return deps.store.transaction(async (tx): Promise<Outcome> => {
      if ((await sf.spendStep(tx.secondFactors, input.step)) === null) return { reply: SECOND_STEP_EXPIRED, clearSecondStep: true };
      await tx.secondFactors.clearFailures(identity.id);
      const session = await openSession(tx, deps, identity, meta, check);
      if (check === 'recovery_code') await notifyOwner(tx, deps, identity, 'recovery-code-used', meta);
      return { reply: SIGNED_IN_WITH_FACTOR, session, clearSecondStep: true };
    });
  },
};

export const SIGNED_IN_WITH_FACTOR = reply(200, { status: 'signed_in', message: 'You are signed in.' });

/**
 * The end of a first factor (a password, a magic link): a session, or for an
 * account with TOTP the second step instead (no session until a code).
 */
export async function signInOrSecondStep(tx: Repositories, deps: FlowDeps, identity: Identity, meta: RequestMeta, method: string, signedIn: Reply): Promise<Outcome> {
  if (identity.totpEnabled) {
    const secondStep = await deps.secondFactor.openStep(tx.secondFactors, identity.id);
    await recordEvent(tx, deps, meta, { name: 'users.login.second_factor', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true, attrs: { method } });
    return { reply: SECOND_FACTOR_REQUIRED, secondStep };
  }
  return { reply: signedIn, session: await openSession(tx, deps, identity, meta, method) };
}
