import { hash, parseOptions, verify } from '@node-rs/argon2';

/** argon2id parameters (OWASP: m=19456 KiB, t=2, p=1). */
export interface PasswordParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

export const OWASP_PARAMS: PasswordParams = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * argon2id hashing off the event loop. A dummy hash, made once at start with
 * the live parameters, is verified whenever there is no real hash to check, so
 * an unknown account costs exactly what a known one does.
 */
export class PasswordHasher {
  readonly params: PasswordParams;
  readonly #dummy: string;
  readonly #equalWork: boolean;

  private constructor(params: PasswordParams, dummy: string, equalWork: boolean) {
    this.params = params;
    this.#dummy = dummy;
    this.#equalWork = equalWork;
  }

  /**
   * `equalWork: false` skips the dummy verify: it exists only so that tests
   * can switch the envelope off and prove their timing test sees the leak.
   */
  static async create(params: PasswordParams = OWASP_PARAMS, options: { equalWork?: boolean } = {}): Promise<PasswordHasher> {
    const dummy = await hash('hush dummy password: never matches a real one', params);
    return new PasswordHasher(params, dummy, options.equalWork ?? true);
  }

  hash(password: string): Promise<string> {
    return hash(password.normalize('NFKC'), this.params);
  }

  /**
   * Checks a password against a stored hash, or against the dummy hash when
   * there is none (unknown account, or an identity without a password); the
   * second case always answers false after the same work.
   */
  async verify(stored: string | null, typed: string): Promise<boolean> {
    // NIST SP 800-63B asks for NFKC before hashing, so the same password typed on two keyboards matches.
    const password = typed.normalize('NFKC');
    if (stored === null) {
      if (this.#equalWork) await verify(this.#dummy, password).catch(() => false);
      return false;
    }
    try {
      return await verify(stored, password);
    } catch {
      // A corrupt stored hash must not be a faster path than a wrong password.
      await verify(this.#dummy, password).catch(() => false);
      return false;
    }
  }

  /** True when a stored hash was made with other parameters than the live ones. */
  needsRehash(stored: string): boolean {
    try {
      const p = parseOptions(stored);
      return p.memoryCost !== this.params.memoryCost || p.timeCost !== this.params.timeCost || p.parallelism !== this.params.parallelism || Number(p.algorithm) !== ARGON2ID;
    } catch {
      return true;
    }
  }
}
