/**
 * Breached passwords (NIST SP 800-63B §5.1.1.2): a password is refused when
 * it appears in Have I Been Pwned's corpus, asked of the range API with
 * k-anonymity: only the first 5 hex characters of its SHA-1 leave hush, with
 * `Add-Padding: true` so the reply's size says nothing of the prefix. Replies
 * are cached per prefix. A short timeout; on failure the check passes
 * (`fail-open`) or refuses the password (`fail-closed`), as configured.
 *
 * It looks only at the password, never at an account: the flows call it
 * before any lookup, so it costs the same for every account. The HTTP
 * client is injected (`fetch`): core does no I/O of its own choosing.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../kernel/clock.js';
import { HushError, validationError } from '../kernel/errors.js';

export interface BreachedPasswordCheck {
  /** Throws a validation error naming `field` when the password is breached; a HushError when the check failed closed. */
  check(password: string, field?: string): Promise<void>;
}

export interface PwnedRangeOptions {
  /** The range endpoint, ending in `/` (the prefix is appended). */
  url: string;
  timeoutMs: number;
  failClosed: boolean;
  clock: Clock;
  fetch: typeof globalThis.fetch;
  /** How long a prefix's reply is kept (default 24 h: the corpus changes slowly). */
  cacheTtlMs?: number;
  /** Prefixes kept at most (default 10,000; the oldest go first). */
  cacheSize?: number;
  /** Told when the check could not be made (the log). */
  onFailure?: (err: unknown) => void;
}

export class PwnedRangeCheck implements BreachedPasswordCheck {
  readonly #o: Required<Omit<PwnedRangeOptions, 'onFailure'>> & Pick<PwnedRangeOptions, 'onFailure'>;
  /** Prefix → the suffixes with a count above zero (padding lines have zero), and when they were fetched. */
  readonly #cache = new Map<string, { suffixes: ReadonlySet<string>; at: number }>();

  constructor(options: PwnedRangeOptions) {
    this.#o = { cacheTtlMs: 24 * 3_600_000, cacheSize: 10_000, ...options };
  }

  async check(password: string, field = 'password'): Promise<void> {
    const digest = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
    const prefix = digest.slice(0, 5);
    const suffix = digest.slice(5);
    let suffixes: ReadonlySet<string>;
    try {
      suffixes = await this.#range(prefix);
    } catch (err) {
      this.#o.onFailure?.(err);
      if (this.#o.failClosed) throw new HushError('HUSH_BREACH_CHECK_FAILED', { cause: err });
      return;
    }
    if (suffixes.has(suffix)) throw validationError(field, 'appears in a known data breach; choose another');
  }

  async #range(prefix: string): Promise<ReadonlySet<string>> {
    const now = this.#o.clock.now();
    const cached = this.#cache.get(prefix);
    if (cached !== undefined && now - cached.at < this.#o.cacheTtlMs) return cached.suffixes;
    const res = await this.#o.fetch(`${this.#o.url}${prefix}`, {
      headers: { 'Add-Padding': 'true', 'User-Agent': 'hush' },
      signal: AbortSignal.timeout(this.#o.timeoutMs),
      redirect: 'error',
    });
    if (res.status !== 200) throw new Error(`the range API answered ${res.status}`);
    const text = await res.text();
    const suffixes = new Set<string>();
    for (const line of text.split('\n')) {
      const m = /^([0-9A-Fa-f]{35}):(\d+)\s*$/.exec(line);
      if (m !== null && Number(m[2]) > 0) suffixes.add((m[1] ?? '').toUpperCase());
    }
    this.#cache.delete(prefix);
    this.#cache.set(prefix, { suffixes, at: now });
    while (this.#cache.size > this.#o.cacheSize) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
    return suffixes;
  }
}
