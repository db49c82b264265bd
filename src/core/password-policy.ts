import { readFileSync } from 'node:fs';
import { validationError } from '../kernel/errors.js';

export const MAX_PASSWORD_LENGTH = 256;

/**
 * NIST SP 800-63B: a minimum length (8 by default), a generous maximum, no
 * composition rules, and no password from a list of common ones. The
 * decision depends only on the input, so it runs the same for every account.
 */
export class PasswordPolicy {
  readonly minLength: number;
  readonly #common: ReadonlySet<string>;

  constructor(minLength: number, common: ReadonlySet<string>) {
    this.minLength = minLength;
    this.#common = common;
  }

  static withShippedList(minLength: number): PasswordPolicy {
    const text = readFileSync(new URL('./data/common-passwords.txt', import.meta.url), 'utf8');
    const set = new Set(text.split('\n').map((l) => l.trim().toLowerCase()).filter((l) => l.length > 0));
    return new PasswordPolicy(minLength, set);
  }

  /** Throws a validation error naming `field` when the password is not acceptable; returns it otherwise. */
  check(raw: unknown, field = 'password'): string {
    if (typeof raw !== 'string' || raw.length === 0) throw validationError(field, 'is required');
    const length = [...raw.normalize('NFC')].length;
    if (length < this.minLength) throw validationError(field, `must be at least ${this.minLength} characters`);
    if (length > MAX_PASSWORD_LENGTH) throw validationError(field, `must be at most ${MAX_PASSWORD_LENGTH} characters`);
    if (this.#common.has(raw.toLowerCase())) throw validationError(field, 'is one of the most common passwords; choose another');
    return raw;
  }

  get commonCount(): number {
    return this.#common.size;
  }
}
