import { randomBytes, randomInt } from 'node:crypto';

/** Randomness, injected so that tests can be deterministic where they need to be. */
export interface Random {
  /** `n` bytes from the CSPRNG. */
  bytes(n: number): Uint8Array;
  /** A uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** A uniform float in [0, 1). */
  float(): number;
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

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** A random id: 16 bytes, base64url (22 characters). Not sequential, not guessable. */
export function randomId(random: Random): string {
  return toBase64Url(random.bytes(16));
}
