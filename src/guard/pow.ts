import { createHash, createHmac } from 'node:crypto';
import { createChallenge, verifySolution } from 'altcha-lib';
import type { Challenge, Payload } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { z } from 'zod';
import type { Clock } from '../kernel/clock.js';
import type { Random } from '../kernel/random.js';
import type { PowReplayStore } from './stores.js';

/**
 * Proof-of-work with ALTCHA v2 (altcha-lib), in its deterministic mode: the
 * server picks the counter, signs the derived key, and the client must find
 * that counter by trying them in order. Verifying is then two HMACs, a few
 * microseconds, whatever the difficulty. Each challenge is signed with a key
 * derived from the instance secret, names the action it was issued for and
 * the difficulty it was issued at, and expires after five minutes. A solution
 * is spent atomically on first use (ALTCHA leaves replay to the app).
 */

export const POW_TTL_MS = 5 * 60_000;
/** SHA-256, one round per try: the widget's `sha` worker and altcha-lib agree on it. */
const ALGORITHM = 'SHA-256';
/** The counter is a uint32 in ALTCHA v2. */
export const MAX_DIFFICULTY = 0xffff_ffff;

export type PowFailure = 'missing' | 'malformed' | 'invalid' | 'expired' | 'wrong_action' | 'too_easy' | 'replayed';

/** What a client is told, per failure: the reason is about the request only, never about an account. */
export const POW_FAILURE_REASONS: Record<PowFailure, string> = {
  missing: 'a proof-of-work solution is required in the field "pow"',
  malformed: 'the field "pow" is not an ALTCHA payload',
  invalid: 'the solution does not solve a challenge issued by this server',
  expired: 'the challenge has expired; fetch a new one',
  wrong_action: 'the challenge was issued for another action',
  too_easy: 'the challenge is easier than this client now needs; fetch a new one',
  replayed: 'this solution has already been used; fetch a new challenge',
};

export type PowResult = { ok: true } | { ok: false; failure: PowFailure };

const payloadSchema = z.object({
  challenge: z.object({
    parameters: z.object({
      algorithm: z.string(),
      nonce: z.string(),
      salt: z.string(),
      cost: z.number(),
      keyLength: z.number(),
      keyPrefix: z.string(),
      keySignature: z.string().optional(),
      memoryCost: z.number().optional(),
      parallelism: z.number().optional(),
      expiresAt: z.number().optional(),
      data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    }),
    signature: z.string().optional(),
  }),
  solution: z.object({ counter: z.number(), derivedKey: z.string(), time: z.number().optional() }),
});

/** Reads the `pow` field: the widget's base64 JSON, or the same object sent as JSON. */
export function parsePowField(value: unknown): Payload | null {
  let raw = value;
  if (typeof value === 'string') {
    if (value.length > 8192) return null;
    try {
      raw = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    } catch {
      return null;
    }
  }
  const parsed = payloadSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export interface ProofOfWorkOptions {
  secret: string;
  clock: Clock;
  random: Random;
  replay: PowReplayStore;
}

export class ProofOfWork {
  readonly #signatureSecret: string;
  readonly #keySecret: string;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #replay: PowReplayStore;

  constructor(options: ProofOfWorkOptions) {
    // Separate keys per use, derived from the one instance secret.
    this.#signatureSecret = createHmac('sha256', options.secret).update('hush/pow/challenge').digest('hex');
    this.#keySecret = createHmac('sha256', options.secret).update('hush/pow/key').digest('hex');
    this.#clock = options.clock;
    this.#random = options.random;
    this.#replay = options.replay;
  }

  /** A signed challenge for `action` whose counter lies in [difficulty/2, difficulty]. */
  async challenge(action: string, difficulty: number): Promise<Challenge> {
    const d = Math.max(2, Math.min(MAX_DIFFICULTY, Math.floor(difficulty)));
    const low = Math.ceil(d / 2);
    const counter = low + this.#random.int(d - low + 1);
    return createChallenge({
      algorithm: ALGORITHM,
      cost: 1,
      counter,
      deriveKey,
      data: { action, difficulty: d },
      expiresAt: Math.floor((this.#clock.now() + POW_TTL_MS) / 1000),
      hmacSignatureSecret: this.#signatureSecret,
      hmacKeySignatureSecret: this.#keySecret,
    });
  }

  /**
   * Verifies `field` for `action` at no less than `minDifficulty`, and spends it.
   * Checks the signature first, so every other field read is one we signed.
   */
  async verify(field: unknown, action: string, minDifficulty: number): Promise<PowResult> {
    if (field === undefined || field === null || field === '') return { ok: false, failure: 'missing' };
    const payload = parsePowField(field);
    if (payload === null) return { ok: false, failure: 'malformed' };
    const { challenge, solution } = payload;
    if (challenge.parameters.algorithm !== ALGORITHM || challenge.parameters.keySignature === undefined) return { ok: false, failure: 'invalid' };
    let result;
    try {
      result = await verifySolution({ challenge, solution, deriveKey, hmacSignatureSecret: this.#signatureSecret, hmacKeySignatureSecret: this.#keySecret });
    } catch {
      return { ok: false, failure: 'invalid' };
    }
    if (result.expired) return { ok: false, failure: 'expired' };
    if (!result.verified) return { ok: false, failure: 'invalid' };
    const { expiresAt, data } = challenge.parameters;
    const now = this.#clock.now();
    if (expiresAt === undefined || expiresAt * 1000 <= now) return { ok: false, failure: 'expired' };
    if (data?.action !== action) return { ok: false, failure: 'wrong_action' };
    if (typeof data.difficulty !== 'number' || data.difficulty < minDifficulty) return { ok: false, failure: 'too_easy' };
    const id = createHash('sha256').update(challenge.signature ?? '').digest('base64url');
    const first = await this.#replay.spend(id, expiresAt * 1000, now);
    return first ? { ok: true } : { ok: false, failure: 'replayed' };
  }
}
