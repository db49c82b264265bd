import type { Random } from '../kernel/random.js';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

/**
 * A fresh unknown identifier shaped like a known one: same domain, same local
 * part length, same character classes position by position. Length matters
 * because hashing and lookups can take time proportional to it; the domain
 * matters because apps branch on it (SSO domains, allow-lists).
 */
export function unknownLike(known: string, random: Random): string {
  const at = known.lastIndexOf('@');
  const local = at >= 0 ? known.slice(0, at) : known;
  const domain = at >= 0 ? known.slice(at) : '';
  let out = '';
  for (const ch of local) {
    if (/[a-z]/.test(ch)) out += LOWER[random.int(26)];
    else if (/[A-Z]/.test(ch)) out += LOWER[random.int(26)]!.toUpperCase();
    else if (/[0-9]/.test(ch)) out += DIGITS[random.int(10)];
    else out += ch;
  }
  // A collision with a real account would make the unknown class known; a
  // leading "zz" marker is not enough protection, so the caller also checks.
  return out + domain;
}

/** Rotates through the known identifiers so that no single account's state (cache, lockout) dominates. */
export class KnownRotation {
  readonly #ids: readonly string[];
  #next = 0;

  constructor(ids: readonly string[]) {
    if (ids.length === 0) throw new RangeError('at least one known identifier is needed');
    this.#ids = ids;
  }

  next(): string {
    const id = this.#ids[this.#next % this.#ids.length]!;
    this.#next++;
    return id;
  }
}

/** Draws unknown identifiers until one is not among the known ones. */
export function freshUnknown(shape: string, known: ReadonlySet<string>, random: Random): string {
  for (let i = 0; i < 100; i++) {
    const id = unknownLike(shape, random);
    if (!known.has(id.toLowerCase())) return id;
  }
  throw new RangeError(`cannot make an unknown identifier shaped like a known one (too short?)`);
}
