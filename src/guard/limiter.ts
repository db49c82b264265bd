import { RLWrapperTimeouts, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Clock } from '../kernel/clock.js';
import type { Limit } from '../kernel/config.js';
import type { StoreHealth } from './store-health.js';

/**
 * Counters for the rate limits. rate-limiter-flexible does the atomic counting
 * (in memory, or in Redis with a per-instance insurance limiter behind it);
 * windows are cut here from the injected clock, so limits are tested without
 * sleeping and every instance agrees on where a window starts. Each key's
 * windows are shifted by a hash of the key, so that not every counter of the
 * app resets at the same instant.
 */

export interface Count {
  /** Points counted in the current window, this request's included. */
  count: number;
  /** Milliseconds until the current window ends. */
  retryAfterMs: number;
}

/** How long a Redis call may take before the insurance limiter answers instead. */
const REDIS_TIMEOUT_MS = 250;

/** A memory limiter that reports each use: it only ever runs when Redis did not answer. */
class InsuranceLimiter extends RateLimiterMemory {
  readonly #onUse: () => void;

  constructor(opts: ConstructorParameters<typeof RateLimiterMemory>[0], onUse: () => void) {
    super(opts);
    this.#onUse = onUse;
  }

  override penalty(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.#onUse();
    return super.penalty(key, points, options);
  }

  override reward(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.#onUse();
    return super.reward(key, points, options);
  }

  override get(key: string | number, options?: Record<string, unknown>): Promise<RateLimiterRes | null> {
    this.#onUse();
    return super.get(key, options);
  }

  override set(key: string | number, points: number, secDuration: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.#onUse();
    return super.set(key, points, secDuration, options);
  }

  override delete(key: string | number, options?: Record<string, unknown>): Promise<boolean> {
    this.#onUse();
    return super.delete(key, options);
  }
}

/** Builds the counters of one guard instance: memory, or Redis with insurance. */
export class LimiterFactory {
  readonly #clock: Clock;
  readonly #redis: Redis | undefined;
  readonly #health: StoreHealth;
  readonly #prefix: string;

  constructor(options: { clock: Clock; redis?: Redis | undefined; health: StoreHealth; prefix?: string }) {
    this.#clock = options.clock;
    this.#redis = options.redis;
    this.#health = options.health;
    this.#prefix = options.prefix ?? 'hush:';
  }

  #store(name: string, limit: Limit): RateLimiterAbstract {
    const opts = { keyPrefix: `${this.#prefix}guard:${name}`, points: limit.points, duration: Math.ceil(limit.durationMs / 1000) };
    if (this.#redis === undefined) return new RateLimiterMemory(opts);
    const insuranceLimiter = new InsuranceLimiter(opts, () => this.#health.fellBack());
    // Not ready (disconnected, reconnecting) → insurance at once; ready but silent → insurance after the timeout.
    const shared = new RateLimiterRedis({ ...opts, storeClient: this.#redis, rejectIfRedisNotReady: true, insuranceLimiter });
    return new RLWrapperTimeouts({ limiter: shared, timeoutMs: REDIS_TIMEOUT_MS, insuranceLimiter });
  }

  /** A counter named `name` (the Redis key prefix) with the given window. */
  create(name: string, limit: Limit): WindowedCounter {
    return new WindowedCounter(name, limit, this.#clock, this.#store(name, limit));
  }

  /** Values that live for a duration given per key (marks set by detection responses). */
  marks(name: string): Marks {
    return new Marks(this.#store(name, { points: 1, durationMs: 1000 }), this.#clock);
  }
}

/**
 * A small value (0–1023) per key with its own lifetime, on the same store (and
 * insurance) as the counters. The expiry is stored with the value and read
 * against the injected clock; the store's own TTL only cleans up.
 */
export class Marks {
  readonly #store: RateLimiterAbstract;
  readonly #clock: Clock;

  constructor(store: RateLimiterAbstract, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  async set(key: string, value: number, durationMs: number): Promise<void> {
    const until = Math.ceil((this.#clock.now() + durationMs) / 1000);
    const packed = until * 1024 + Math.max(0, Math.min(1023, Math.floor(value)));
    await this.#store.set(key, packed, Math.max(1, Math.ceil(durationMs / 1000)) + 1);
  }

  async get(key: string): Promise<number> {
    const res = await this.#store.get(key);
    if (res === null) return 0;
    const packed = res.consumedPoints;
    return Math.floor(packed / 1024) * 1000 > this.#clock.now() ? packed % 1024 : 0;
  }
}

/** FNV-1a, 32 bits: spreads window starts; needs to be stable across instances, not secret. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A fixed-window counter over one rate-limiter-flexible store. */
export class WindowedCounter {
  readonly name: string;
  readonly limit: Limit;
  readonly #clock: Clock;
  readonly #store: RateLimiterAbstract;

  constructor(name: string, limit: Limit, clock: Clock, store: RateLimiterAbstract) {
    this.name = name;
    this.limit = limit;
    this.#clock = clock;
    this.#store = store;
  }

  #window(key: string): { storeKey: string; endsAt: number } {
    const d = this.limit.durationMs;
    // Keys `address|identifier` spread by their address only: every identifier tried from one
    // address then shares window edges, so Retry-After cannot differ between identifiers.
    const offset = fnv1a(`${this.name}\0${key.split('|')[0] ?? key}`) % d;
    const index = Math.floor((this.#clock.now() - offset) / d);
    return { storeKey: `${key}@${index}`, endsAt: (index + 1) * d + offset };
  }

  /** Counts `points` against `key` and returns the window's total. */
  async add(key: string, points = 1): Promise<Count> {
    const w = this.#window(key);
    const res = await this.#store.penalty(w.storeKey, points);
    return { count: res.consumedPoints, retryAfterMs: w.endsAt - this.#clock.now() };
  }

  /** The window's total without counting. */
  async peek(key: string): Promise<Count> {
    const w = this.#window(key);
    const res = await this.#store.get(w.storeKey);
    return { count: res?.consumedPoints ?? 0, retryAfterMs: w.endsAt - this.#clock.now() };
  }

  /** Gives `points` back (never below zero in effect: a negative count reads as under the limit). */
  async refund(key: string, points = 1): Promise<void> {
    await this.#store.reward(this.#window(key).storeKey, points);
  }

  /** Forgets the current window of `key`. */
  async reset(key: string): Promise<void> {
    await this.#store.delete(this.#window(key).storeKey);
  }

  /** True when `count` is over the limit. */
  exceeded(count: Count): boolean {
    return count.count > this.limit.points;
  }
}
