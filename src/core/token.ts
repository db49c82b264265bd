import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../kernel/clock.js';
import type { Random } from '../kernel/random.js';
import { toBase64Url } from '../kernel/random.js';

/** `disown`: the "this wasn't me" link of an owner notice; `disown_totp` that of the TOTP-added notice, which removes it too. */
export type TokenPurpose = 'verify' | 'recovery' | 'magic' | 'disown' | 'disown_totp';

/**
 * A token names either an identity or, for an address with no account yet,
 * the normalized identifier. An identity subject may also give its stored
 * address (`email`): revoking for it then also revokes the tokens bound to
 * that address before the account existed (a magic link asked for an
 * unknown address names the identity made later by sign-up). Tokens are
 * only ever stored under one of the two.
 */
export type TokenSubject = { identityId: string; email?: string } | { identifier: string };

export interface TokenRecord {
  hash: string;
  purpose: TokenPurpose;
  identityId: string | null;
  identifier: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** What tokens need of the store; `consume` must check and spend in one atomic statement. */
export interface TokenRepository {
  insert(record: TokenRecord): Promise<void>;
  /** Deletes and returns the token if it exists, has this purpose and has not expired at `now`; null otherwise. */
  consume(hash: string, purpose: TokenPurpose, now: Date): Promise<TokenRecord | null>;
  /**
   * Revokes every token of a purpose for a subject (issuing a new one revokes
   * the older ones), in one statement; for an identity subject with `email`,
   * also those bound to that address.
   */
  revoke(purpose: TokenPurpose, subject: TokenSubject): Promise<number>;
  /**
   * Revokes every token of an identity, whatever its purpose (a password
   * change), in one statement; given its stored address (`email`), also the
   * tokens bound to that address before the account existed.
   */
  revokeAllFor(identityId: string, email?: string): Promise<number>;
  pruneExpired(now: Date): Promise<number>;
}

const TOKEN_BYTES = 32;
/** 32 bytes in base64url, unpadded. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** SHA-256 of the token, hex: what is stored and looked up. A 256-bit random secret needs no slow hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True when a string has the shape of a hush token (it may still be unknown). */
export function isTokenShaped(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Single-use secrets for one purpose: 32 bytes from the CSPRNG, base64url on
 * the wire, SHA-256 at rest, with an expiry (design.md §2).
 */
export class Tokens {
  readonly #clock: Clock;
  readonly #random: Random;

  constructor(deps: { clock: Clock; random: Random }) {
    this.#clock = deps.clock;
    this.#random = deps.random;
  }

  /** A fresh token and its hash, not stored: the unknown-account path mints one and throws it away. */
  mint(): { token: string; hash: string } {
    const token = toBase64Url(this.#random.bytes(TOKEN_BYTES));
    return { token, hash: hashToken(token) };
  }

  /** Revokes the subject's older tokens of this purpose, stores the new one's hash, and returns the token. */
  async issue(repo: TokenRepository, purpose: TokenPurpose, subject: TokenSubject, ttlMs: number): Promise<string> {
    const { token, hash } = this.mint();
    const now = this.#clock.now();
    await repo.revoke(purpose, subject);
    await repo.insert({
      hash,
      purpose,
      identityId: 'identityId' in subject ? subject.identityId : null,
      identifier: 'identifier' in subject ? subject.identifier : null,
      createdAt: new Date(now),
      expiresAt: new Date(now + ttlMs),
    });
    return token;
  }

  /** Spends a token atomically. Unknown, spent, expired, wrong-purpose and malformed tokens all give null after one lookup. */
  async consume(repo: TokenRepository, token: string, purpose: TokenPurpose): Promise<TokenRecord | null> {
    // A malformed token is still hashed and looked up, so it costs what a well-formed unknown one does.
    const record = await repo.consume(hashToken(token), purpose, new Date(this.#clock.now()));
    return record !== null && isTokenShaped(token) ? record : null;
  }
}
