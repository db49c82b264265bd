import type { Random } from '../kernel/random.js';

export interface BackoffOptions {
  /** Delay after the first failure, before jitter. */
  baseMs: number;
  /** Largest delay, before jitter. */
  maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": the delay after attempt n is
 * between half and all of min(max, base·2^(n-1)). The random half spreads
 * retries of a burst (say, after an SMTP outage) instead of replaying it at
 * once; the fixed half keeps a minimum pause.
 */
export function backoffDelay(attempt: number, random: Random, options: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random.float() * (ceiling / 2));
}
