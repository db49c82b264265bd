import { hash, parseOptions, verify } from '@node-rs/argon2';
import { HashPool } from './hash-pool.js';

/** argon2id parameters (OWASP: m=19456 KiB, t=2, p=1). */
export interface PasswordParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

export const OWASP_PARAMS: PasswordParams = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export interface PasswordHasherOptions {
  /**
   * False skips the dummy verify: it exists only so that tests can switch the
   * envelope off and prove their timing test sees the leak.
   */
  equalWork?: boolean;
  /**
   * Hash on this many threads of hush's own at a lower CPU priority than the
   * event loop (see `HashPool`); 0 (the default) uses libuv's pool, as
   * `@node-rs/argon2` does. The server uses HUSH_HASH_THREADS.
   */
  threads?: number;
}

/** The two calls a hasher needs, from libuv's pool or from hush's own threads. */
interface Argon2 {
  hash(password: string, params: PasswordParams): Promise<string>;
  verify(stored: string, password: string): Promise<boolean>;
  close(): Promise<void>;
}

const LIBUV: Argon2 = { hash: (password, params) => hash(password, params), verify: (stored, password) => verify(stored, password), close: () => Promise.resolve() };

/**
 * argon2id hashing off the event loop. A dummy hash, made once at start with
 * the live parameters, is verified whenever there is no real hash to check, so
 * an unknown account costs exactly what a known one does.
 */
export class PasswordHasher {
  readonly params: PasswordParams;
  readonly #dummy: string;
  readonly #equalWork: boolean;
  readonly #argon2: Argon2;

  private constructor(params: PasswordParams, dummy: string, equalWork: boolean, argon2: Argon2) {
    this.params = params;
    this.#dummy = dummy;
    this.#equalWork = equalWork;
    this.#argon2 = argon2;
  }

  static async create(params: PasswordParams = OWASP_PARAMS, options: PasswordHasherOptions = {}): Promise<PasswordHasher> {
    const threads = options.threads ?? 0;
    const argon2: Argon2 = threads > 0 ? new HashPool(threads) : LIBUV;
    try {
      const dummy = await argon2.hash('hush dummy password: never matches a real one', params);
      return new PasswordHasher(params, dummy, options.equalWork ?? true, argon2);
    } catch (error) {
      await argon2.close();
      throw error;
    }
  }

  /** Stops the hashing threads, if any; hashes still running fail. */
  close(): Promise<void> {
    return this.#argon2.close();
  }

  hash(password: string): Promise<string> {
    return this.#argon2.hash(password.normalize('NFKC'), this.params);
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
      if (this.#equalWork) await this.#argon2.verify(this.#dummy, password).catch(() => false);
      return false;
    }
    try {
      return await this.#argon2.verify(stored, password);
    } catch {
      // A corrupt stored hash must not be a faster path than a wrong password.
      await this.#argon2.verify(this.#dummy, password).catch(() => false);
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
