/**
 * The owner's own TOTP, from a session: set up (a secret shown once, kept
 * sealed as pending), confirm with a first code (it takes effect, and ten
 * recovery codes are shown once), remove or make new recovery codes with a
 * fresh code (or, to remove, a recovery code). Each change is notified to the owner.
 */
import { HushError } from '../../kernel/errors.js';
import type { Identity } from '../identity.js';
import type { FactorInput } from '../second-factor.js';
import type { FlowDeps, RequestMeta } from './context.js';
import { recordEvent } from './context.js';
import { notifyOwner } from './notices.js';

export interface TotpSetup {
  secret: string;
  otpauth_uri: string;
}

export async function setupTotp(deps: FlowDeps, identity: Identity): Promise<TotpSetup> {
  if (identity.totpEnabled) throw new HushError('HUSH_TOTP_ALREADY_ENABLED');
  const fresh = deps.secondFactor.newSecret(identity);
  await deps.store.secondFactors.setPending(identity.id, fresh.sealed, new Date(deps.clock.now()));
  return { secret: fresh.secret, otpauth_uri: fresh.uri };
}

export async function confirmTotp(deps: FlowDeps, identity: Identity, code: string, meta: RequestMeta): Promise<{ recovery_codes: string[] }> {
  if (identity.totpEnabled) throw new HushError('HUSH_TOTP_ALREADY_ENABLED');
  const state = await deps.store.secondFactors.totp(identity.id);
  if (state.pending === null) throw new HushError('HUSH_TOTP_NOT_PENDING');
  const step = deps.secondFactor.matchCode(state.pending, identity.id, code, null);
  if (step === null) throw new HushError('HUSH_SECOND_FACTOR_INVALID');
  const pending = state.pending;
  const { codes, hashes } = deps.secondFactor.newRecoveryCodes();
  await deps.store.transaction(async (tx) => {
    // The first code's step is spent at once: it cannot sign in again.
    if (!(await tx.secondFactors.enable(identity.id, pending, step, new Date(deps.clock.now())))) throw new HushError('HUSH_TOTP_NOT_PENDING');
    await tx.secondFactors.replaceRecoveryCodes(identity.id, hashes, new Date(deps.clock.now()));
    await notifyOwner(tx, deps, identity, 'totp-enabled', meta);
    await recordEvent(tx, deps, meta, { name: 'users.totp.enabled', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true });
  });
  return { recovery_codes: codes };
}

/** Checks a fresh factor for a signed-in change; a wrong one counts against the account's failures. */
async function requireFactor(deps: FlowDeps, identity: Identity, factor: FactorInput): Promise<'totp' | 'recovery_code'> {
  if (!identity.totpEnabled) throw new HushError('HUSH_TOTP_NOT_ENABLED');
  const check = await deps.secondFactor.check(deps.store.secondFactors, identity.id, factor);
  if (check === 'totp' || check === 'recovery_code') return check;
  if (check === 'wrong') await deps.secondFactor.recordFailure(deps.store.secondFactors, identity.id);
  throw new HushError(check === 'locked' ? 'HUSH_RATE_LIMITED' : check === 'missing' ? 'HUSH_SECOND_FACTOR_REQUIRED' : 'HUSH_SECOND_FACTOR_INVALID');
}

export async function disableTotp(deps: FlowDeps, identity: Identity, factor: FactorInput, meta: RequestMeta): Promise<void> {
  const used = await requireFactor(deps, identity, factor);
  await deps.store.transaction(async (tx) => {
    await tx.secondFactors.disable(identity.id, new Date(deps.clock.now()));
    if (used === 'recovery_code') await notifyOwner(tx, deps, identity, 'recovery-code-used', meta);
    await notifyOwner(tx, deps, identity, 'totp-disabled', meta);
    await recordEvent(tx, deps, meta, { name: 'users.totp.disabled', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true });
  });
}

/** Ten new recovery codes (the old ones stop working), with a fresh code from the app. */
export async function regenerateRecoveryCodes(deps: FlowDeps, identity: Identity, code: string | null, meta: RequestMeta): Promise<{ recovery_codes: string[] }> {
  await requireFactor(deps, identity, code === null ? null : { code });
  const { codes, hashes } = deps.secondFactor.newRecoveryCodes();
  await deps.store.transaction(async (tx) => {
    await tx.secondFactors.replaceRecoveryCodes(identity.id, hashes, new Date(deps.clock.now()));
    await notifyOwner(tx, deps, identity, 'recovery-codes-regenerated', meta);
    await recordEvent(tx, deps, meta, { name: 'users.recovery_codes.regenerated', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true });
  });
  return { recovery_codes: codes };
}

/** What the account page shows of the second factor. */
export async function secondFactorStatus(deps: FlowDeps, identity: Identity): Promise<{ totp: boolean; recovery_codes_left: number }> {
  return { totp: identity.totpEnabled, recovery_codes_left: identity.totpEnabled ? await deps.store.secondFactors.countRecoveryCodes(identity.id) : 0 };
}
