import { createHmac } from 'node:crypto';
import type { Config, Limit } from '../kernel/config.js';
import { mailboxKey } from '../core/identifier.js';
import type { LimiterFactory, WindowedCounter } from './limiter.js';

/**
 * The rate limits of the issue, keyed by client address (IPv6 per /64, done by
 * the caller), mailbox (core/identifier.ts `mailboxKey`: every spelling of one
 * inbox shares one budget), address+mailbox, the whole app, and
 * per address on the token-confirm endpoints. Identifiers are keyed by an HMAC
 * under the instance secret: no e-mail address sits in Redis, and an unknown
 * identifier is counted exactly like a known one (nothing here can tell them
 * apart).
 */

export type SilentAction = 'recovery' | 'signup' | 'magic-link';
export type LimitKey = 'address' | 'identifier' | 'app' | 'pair';

export interface LimitDecision {
  limited: boolean;
  /** The first limit that was over. */
  key?: LimitKey;
  retryAfterMs: number;
}

const PASS: LimitDecision = { limited: false, retryAfterMs: 0 };
/** Failures from one address after which login asks for proof-of-work. */
export const LOGIN_POW_AFTER = 3;
/** A honeypot trip or a failed proof-of-work counts as this many requests. */
export const PENALTY_POINTS = 5;

interface SilentCounters {
  address: WindowedCounter;
  identifier: WindowedCounter;
  app: WindowedCounter;
}

export class RateLimits {
  readonly enabled: boolean;
  readonly #secret: string;
  readonly #silent: Record<SilentAction, SilentCounters>;
  readonly #loginPair: WindowedCounter;
  readonly #loginAddress: WindowedCounter;
  readonly #loginFailures: WindowedCounter;
  readonly #confirm: WindowedCounter;

  constructor(config: Config, secret: string, factory: LimiterFactory) {
    this.enabled = config.limits;
    this.#secret = secret;
    const silent = (name: SilentAction, address: Limit, identifier: Limit): SilentCounters => ({
      address: factory.create(`${name}:address`, address),
      identifier: factory.create(`${name}:identifier`, identifier),
      app: factory.create(`${name}:app`, config.limitApp),
    });
    this.#silent = {
      recovery: silent('recovery', config.limitRecoveryAddress, config.limitRecoveryIdentifier),
      signup: silent('signup', config.limitSignupAddress, config.limitSignupIdentifier),
      'magic-link': silent('magic-link', config.limitMagicAddress, config.limitMagicIdentifier),
    };
    this.#loginPair = factory.create('login:pair', config.limitLoginPair);
    this.#loginAddress = factory.create('login:address', config.limitLoginAddress);
    // Failures (not attempts) per address, for "proof-of-work after 3 failures"; counted even with limits off.
    this.#loginFailures = factory.create('login:failures', { points: LOGIN_POW_AFTER - 1, durationMs: config.limitLoginAddress.durationMs });
    this.#confirm = factory.create('confirm:address', config.limitConfirmAddress);
  }

  #id(identifier: string): string {
    return createHmac('sha256', this.#secret).update(`hush/limit/${mailboxKey(identifier)}`).digest('base64url').slice(0, 27);
  }

  /** Counts one mail-sending request; limited when the address, the identifier or the app is over. */
  async silent(action: SilentAction, address: string, identifier: string | null): Promise<LimitDecision> {
    if (!this.enabled) return PASS;
    const c = this.#silent[action];
    // Address first: a flood from one address stops there and does not also burn the identifier's budget.
    const a = await c.address.add(address);
    if (c.address.exceeded(a)) return { limited: true, key: 'address', retryAfterMs: a.retryAfterMs };
    // Identifier and app together: one round trip less on Redis.
    const [i, g] = await Promise.all([identifier === null ? null : c.identifier.add(this.#id(identifier)), c.app.add('all')]);
    if (i !== null && c.identifier.exceeded(i)) return { limited: true, key: 'identifier', retryAfterMs: i.retryAfterMs };
    if (c.app.exceeded(g)) return { limited: true, key: 'app', retryAfterMs: g.retryAfterMs };
    return PASS;
  }

  /**
   * Counts one login attempt before the password is checked, so that parallel
   * guesses cannot all slip under the limit; a success gives it back.
   */
  async login(address: string, identifier: string | null): Promise<LimitDecision> {
    if (!this.enabled) return PASS;
    const a = await this.#loginAddress.add(address);
    if (this.#loginAddress.exceeded(a)) return { limited: true, key: 'address', retryAfterMs: a.retryAfterMs };
    if (identifier === null) return PASS;
    const p = await this.#loginPair.add(`${address}|${this.#id(identifier)}`);
    if (this.#loginPair.exceeded(p)) return { limited: true, key: 'pair', retryAfterMs: p.retryAfterMs };
    return PASS;
  }

  async loginFailed(address: string): Promise<void> {
    await this.#loginFailures.add(address);
  }

  /** NIST SP 800-63B: a success clears the failures of that account from that address. */
  async loginSucceeded(address: string, identifier: string): Promise<void> {
    if (!this.enabled) return;
    await this.#loginPair.reset(`${address}|${this.#id(identifier)}`);
    await this.#loginAddress.refund(address);
  }

  /** True once an address has failed enough logins that login asks it for proof-of-work. */
  async loginNeedsPow(address: string): Promise<boolean> {
    const f = await this.#loginFailures.peek(address);
    return this.#loginFailures.exceeded(f);
  }

  /** Counts one token check (verify, reset, magic-link confirm). */
  async confirm(address: string): Promise<LimitDecision> {
    if (!this.enabled) return PASS;
    const a = await this.#confirm.add(address);
    return this.#confirm.exceeded(a) ? { limited: true, key: 'address', retryAfterMs: a.retryAfterMs } : PASS;
  }

  /** A honeypot trip or a failed proof-of-work: counts PENALTY_POINTS against the address for `action`. */
  async penalize(action: SilentAction | 'login' | 'confirm', address: string): Promise<void> {
    if (!this.enabled) return;
    if (action === 'login') await this.#loginAddress.add(address, PENALTY_POINTS);
    else if (action === 'confirm') await this.#confirm.add(address, PENALTY_POINTS);
    else await this.#silent[action].address.add(address, PENALTY_POINTS);
  }
}
