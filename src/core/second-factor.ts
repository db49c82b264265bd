/**
 * The second factor: TOTP and recovery codes, and the second step of a
 * sign-in. What it needs of the store (`SecondFactorRepository`, one
 * implementation in store/) and the checks the flows share. Every spend is
 * one conditional statement: a code's step, a recovery code, a second step.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { Clock } from '../kernel/clock.js';
import type { Random } from '../kernel/random.js';
import type { Identity } from './identity.js';
import type { SecretBox } from './secret-box.js';
import { hashToken } from './token.js';
import { toBase64Url } from '../kernel/random.js';
import { TOTP_SECRET_BYTES, base32Encode, matchTotp, normalizeTotpCode, otpauthUri } from './totp.js';

export interface TotpState {
  /** The sealed secret in force, or null. */
  secret: string | null;
  /** The sealed secret set up and not yet confirmed by a first code, or null. */
  pending: string | null;
  /** The last step whose code was accepted: no code of it or before it is accepted again. */
  lastStep: number | null;
}

export interface SecondStepRecord {
  hash: string;
  identityId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** What the second factor needs of the store. */
export interface SecondFactorRepository {
  totp(identityId: string): Promise<TotpState>;
  setPending(identityId: string, sealed: string | null, at: Date): Promise<void>;
  /** Puts the pending secret in force if it is still `sealed` and none is; atomic. False when another request won. */
  enable(identityId: string, sealed: string, step: number, at: Date): Promise<boolean>;
  /** Removes TOTP and every recovery code. */
  disable(identityId: string, at: Date): Promise<void>;
  /** Marks `step` used if no later or equal step was; one statement. False: a replay. */
  spendTotpStep(identityId: string, step: number): Promise<boolean>;
  replaceRecoveryCodes(identityId: string, hashes: readonly string[], at: Date): Promise<void>;
  /** Deletes the code if the identity has it; one statement. */
  spendRecoveryCode(identityId: string, hash: string): Promise<boolean>;
  countRecoveryCodes(identityId: string): Promise<number>;
  /** Failures of the second step since `since` (0 when the last one is older). */
  failures(identityId: string, since: Date): Promise<number>;
  /** Counts one failure, restarting the count when the last one is before `windowStart`. */
  recordFailure(identityId: string, at: Date, windowStart: Date): Promise<void>;
  clearFailures(identityId: string): Promise<void>;
  insertStep(step: SecondStepRecord): Promise<void>;
  findStep(hash: string, now: Date): Promise<SecondStepRecord | null>;
  /** Deletes and returns the step if alive; one statement. */
  spendSecondStep(hash: string, now: Date): Promise<SecondStepRecord | null>;
  pruneSteps(now: Date): Promise<number>;
  /** Adds the device to those the identity signed in from: `first` (it had none), `new`, or `known`. */
  rememberDevice(identityId: string, device: string, at: Date): Promise<'first' | 'new' | 'known'>;
  /** Takes one notice from the identity's budget (`max` per window); false when it is spent. */
  takeNotice(identityId: string, at: Date, windowStart: Date, max: number): Promise<boolean>;
}

export interface SecondFactorSettings {
  /** The issuer shown in authenticator apps (the product name). */
  issuer: string;
  /** How long the second step of a sign-in lives (5 minutes). */
  stepTtlMs: number;
  /** Failed codes per account, per window, after which the second step refuses every code. */
  maxFailures: number;
  failureWindowMs: number;
}

export type FactorInput = { code: string } | { recoveryCode: string } | null;

/** What a check of a second factor came to. */
export type FactorCheck = 'totp' | 'recovery_code' | 'wrong' | 'missing' | 'locked';

export const RECOVERY_CODE_COUNT = 10;
/** The second step of a sign-in lives five minutes: long enough to open an app, short enough to be of little use to a thief. */
export const SECOND_STEP_TTL_MS = 5 * 60_000;
/** Wrong codes per account in the window after which every code is refused (across all addresses): 10 in 15 minutes. */
export const SECOND_FACTOR_MAX_FAILURES = 10;
export const SECOND_FACTOR_WINDOW_MS = 15 * 60_000;
/** 16 base32 characters, 80 bits, shown as four groups of four. */
const RECOVERY_CODE_CHARS = 16;

export class SecondFactor {
  readonly box: SecretBox;
  readonly settings: SecondFactorSettings;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #codeKey: Buffer;

  constructor(deps: { box: SecretBox; clock: Clock; random: Random; settings: SecondFactorSettings; instanceSecret: string }) {
    this.box = deps.box;
    this.settings = deps.settings;
    this.#clock = deps.clock;
    this.#random = deps.random;
    // Recovery codes are hashed under a key of the instance: a copy of the table alone cannot be searched offline.
    this.#codeKey = Buffer.from(hkdfSync('sha256', deps.instanceSecret, 'hush', 'hush recovery-code', 32));
  }

  /** A new TOTP secret for `identity`: the sealed form to keep as pending, and what to show once. */
  newSecret(identity: Pick<Identity, 'id' | 'email'>): { sealed: string; secret: string; uri: string } {
    const raw = this.#random.bytes(TOTP_SECRET_BYTES);
    const secret = base32Encode(raw);
    return { sealed: this.box.seal(raw, identity.id), secret, uri: otpauthUri({ issuer: this.settings.issuer, account: identity.email, secret }) };
  }

  /** The step `code` matches for the sealed secret, after `lastStep`, or null. */
  matchCode(sealed: string | null, identityId: string, code: string, lastStep: number | null): number | null {
    const key = sealed === null ? null : this.box.open(sealed, identityId);
    // Without a key the same work is done on a throwaway one, and nothing matches.
    const step = matchTotp(key ?? new Uint8Array(TOTP_SECRET_BYTES), code, this.#clock.now(), lastStep);
    return key === null ? null : step;
  }

  /** Ten fresh recovery codes and their hashes. */
  newRecoveryCodes(): { codes: string[]; hashes: string[] } {
    const codes: string[] = [];
    for (let i = 0; i < RECOVERY_CODE_COUNT; i++) {
      const raw = base32Encode(this.#random.bytes(10)).toLowerCase().slice(0, RECOVERY_CODE_CHARS);
      codes.push(raw.match(/.{4}/g)?.join('-') ?? raw);
    }
    return { codes, hashes: codes.map((c) => this.hashRecoveryCode(c)) };
  }

  /** HMAC of the code as typed, once spaces, dashes and case are set aside. */
  hashRecoveryCode(code: string): string {
    const normalized = code.replace(/[\s-]/g, '').toLowerCase();
    return createHmac('sha256', this.#codeKey).update(normalized).digest('hex');
  }

  /**
   * Checks a code or a recovery code for an identity with TOTP and spends it
   * (one statement each). Counts nothing: the caller records a failure where
   * it will not be rolled back. Refuses everything once the account has
   * failed `maxFailures` times in the window.
   */
  async check(repo: SecondFactorRepository, identityId: string, factor: FactorInput): Promise<FactorCheck> {
    if (factor === null) return 'missing';
    const now = this.#clock.now();
    if ((await repo.failures(identityId, new Date(now - this.settings.failureWindowMs))) >= this.settings.maxFailures) return 'locked';
    if ('code' in factor) {
      const state = await repo.totp(identityId);
      const step = this.matchCode(state.secret, identityId, factor.code, state.lastStep);
      return step !== null && (await repo.spendTotpStep(identityId, step)) ? 'totp' : 'wrong';
    }
    return (await repo.spendRecoveryCode(identityId, this.hashRecoveryCode(factor.recoveryCode))) ? 'recovery_code' : 'wrong';
  }

  recordFailure(repo: SecondFactorRepository, identityId: string): Promise<void> {
    const now = this.#clock.now();
    return repo.recordFailure(identityId, new Date(now), new Date(now - this.settings.failureWindowMs));
  }

  /** Opens the second step of a sign-in: a random token for a short-lived cookie, stored hashed. */
  async openStep(repo: SecondFactorRepository, identityId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = toBase64Url(this.#random.bytes(32));
    const now = this.#clock.now();
    const expiresAt = new Date(now + this.settings.stepTtlMs);
    await repo.insertStep({ hash: hashToken(token), identityId, createdAt: new Date(now), expiresAt });
    return { token, expiresAt };
  }

  findStep(repo: SecondFactorRepository, token: string): Promise<SecondStepRecord | null> {
    if (token.length === 0 || token.length > 128) return Promise.resolve(null);
    return repo.findStep(hashToken(token), new Date(this.#clock.now()));
  }

  spendStep(repo: SecondFactorRepository, token: string): Promise<SecondStepRecord | null> {
    return repo.spendSecondStep(hashToken(token), new Date(this.#clock.now()));
  }
}

/**
 * Reads `code` or `recovery_code` from a body (validation from the input
 * alone). A `code` that is not six digits but has a recovery code's shape is
 * taken as one: the pages ask for either in one field.
 */
export function parseFactor(input: Readonly<Record<string, unknown>>): FactorInput {
  const code = input.code;
  const recovery = input.recovery_code;
  if (typeof code === 'string' && code.trim().length > 0 && code.length <= 32) {
    return normalizeTotpCode(code) === null && /^[a-z2-7]{16}$/i.test(code.replace(/[\s-]/g, '')) ? { recoveryCode: code } : { code };
  }
  if (typeof recovery === 'string' && recovery.trim().length > 0 && recovery.length <= 64) return { recoveryCode: recovery };
  return null;
}
