import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomInt } from 'node:crypto';

/** Randomness, injected so that tests can be deterministic where they need to be. */
export interface Random {
  /** `n` bytes from the CSPRNG. */
  bytes(n: number): Uint8Array;
  /** A uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** A uniform float in [0, 1). */
  float(): number;
  /**
   * A child stream whose draws never shift this one's (one draw here seeds
   * it). Seeded generators have it; the CSPRNG needs none, since no draw of
   * it can be predicted from another.
   */
  fork?(): Random;
}

export const cryptoRandom: Random = {
  bytes: (n: number): Uint8Array => new Uint8Array(randomBytes(n)),
  int: (maxExclusive: number): number => randomInt(maxExclusive),
  float: (): number => randomBytes(6).readUIntBE(0, 6) / 2 ** 48,
};

/** A seeded, non-cryptographic generator (xorshift128+), for tests and simulations only. */
export class SeededRandom implements Random {
  #s0: bigint;
  #s1: bigint;

  constructor(seed: number) {
    this.#s0 = BigInt(seed >>> 0) | 0x9e3779b97f4a7c15n;
    this.#s1 = BigInt((seed * 2654435761) >>> 0) | 0xbf58476d1ce4e5b9n;
  }

  /** A child generator seeded from the next two draws of this one. */
  fork(): SeededRandom {
    const child = new SeededRandom(0);
    // Either half non-zero keeps xorshift128+ off its one fixed point.
    child.#s0 = this.#next() | 1n;
    child.#s1 = this.#next();
    return child;
  }

  #next(): bigint {
    const mask = (1n << 64n) - 1n;
    let x = this.#s0;
    const y = this.#s1;
    this.#s0 = y;
    x ^= (x << 23n) & mask;
    this.#s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return (this.#s1 + y) & mask;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(this.#next() & 0xffn);
    return out;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.float() * maxExclusive);
  }

  float(): number {
    return Number(this.#next() >> 11n) / 2 ** 53;
  }
}

/**
 * Randomness per request. Inside `run`, every draw comes from a stream forked
 * for that run from the root when it started; outside any run (the outbox
 * worker, detection, the janitor), from a background stream forked once at
 * construction. So what one request draws (a token minted on one path and
 * not on the other, an outbox row, a block record) can never shift what a
 * later request draws: with a seeded root, two servers that see the same
 * requests in the same order draw the same values for each of them, whatever
 * accounts they hold (test/http/two-worlds.test.ts relies on it).
 *
 * Over a root that cannot fork (the CSPRNG in production) it passes every
 * draw through and `run` adds nothing: no draw of a CSPRNG tells anything
 * about another, so there is nothing to separate.
 */
export class RequestRandom implements Random {
  readonly #root: Random;
  readonly #background: Random;
  readonly #current: AsyncLocalStorage<Random> | undefined;

  constructor(root: Random) {
    this.#root = root;
    this.#background = root.fork?.() ?? root;
    this.#current = root.fork === undefined ? undefined : new AsyncLocalStorage<Random>();
  }

  /** Runs `fn` (and everything it starts) on a stream of its own, forked from the root now. */
  run<T>(fn: () => T): T {
    const fork = this.#root.fork?.();
    return fork === undefined || this.#current === undefined ? fn() : this.#current.run(fork, fn);
  }

  #stream(): Random {
    return this.#current?.getStore() ?? this.#background;
  }

  bytes(n: number): Uint8Array {
    return this.#stream().bytes(n);
  }

  int(maxExclusive: number): number {
    return this.#stream().int(maxExclusive);
  }

  float(): number {
    return this.#stream().float();
  }
}

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** A random id: 16 bytes, base64url (22 characters). Not sequential, not guessable. */
export function randomId(random: Random): string {
  return toBase64Url(random.bytes(16));
}
