import { Redis } from 'ioredis';
import { BUCKETS } from './rule.js';
import type { Rule } from './rule.js';
import { OBSERVE_LUA, RAISE_LUA } from './redis-scripts.js';
import type { CaseCounts, DetectionState, ObserveInput, Observation, RaiseInput, RaiseResult, StateStats } from './state.js';

/** Must match memory-state.ts: the window is the newest BUCKETS buckets. */
const SLOTS = BUCKETS;
/** Must match memory-state.ts: a HyperLogLog slice spans this many buckets. */
const SLICE = 4;

export interface RedisStateOptions {
  /** A client to use (not closed by close()), or a URL to connect to (closed by close()). */
  redis: Redis | string;
  /** Key prefix, so that several hush deployments can share one Redis. Default `hush:detect:`. */
  prefix?: string;
  /** Distinct values kept exactly per case and group before switching to HyperLogLog. */
  distinctCap?: number;
}

type Reply = (string | number)[];
interface ScriptedRedis {
  hushDetectObserve(...args: (string | number)[]): Promise<Reply>;
  hushDetectRaise(...args: (string | number)[]): Promise<Reply>;
}

/**
 * Windows and live signals in Redis, so that several hush instances reach one
 * threshold together. Each observe and raise is one Lua script (atomic); with
 * ioredis's auto-pipelining, concurrent events share round trips. Keys expire
 * on their own (window plus a bucket; anomaly rules keep twice their
 * baseline), which bounds memory; set `maxmemory-policy volatile-lru` as a
 * second bound.
 */
export class RedisState implements DetectionState {
  readonly kind = 'redis' as const;
  readonly #redis: Redis;
  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #cap: number;

  constructor(options: RedisStateOptions) {
    this.#owned = typeof options.redis === 'string';
    this.#redis = typeof options.redis === 'string' ? new Redis(options.redis, { enableAutoPipelining: true, maxRetriesPerRequest: 2, lazyConnect: false }) : options.redis;
    this.#prefix = options.prefix ?? 'hush:detect:';
    this.#cap = options.distinctCap ?? 1000;
    this.#redis.defineCommand('hushDetectObserve', { numberOfKeys: 2, lua: OBSERVE_LUA });
    this.#redis.defineCommand('hushDetectRaise', { numberOfKeys: 1, lua: RAISE_LUA });
  }

  get #scripts(): ScriptedRedis {
    return this.#redis as unknown as ScriptedRedis;
  }

  async observe(input: ObserveInput): Promise<Observation> {
    const { rule, now } = input;
    const k = this.#prefix + input.key;
    const ttl = rule.anomaly ? rule.anomaly.baselineMs * 2 : Math.ceil(rule.windowMs + 2 * rule.bucketMs);
    const alpha = rule.anomaly ? Math.min(1, rule.bucketMs / rule.anomaly.baselineMs) : 0;
    const args: (string | number)[] = [
      k,
      `${k}:s`,
      now,
      rule.bucketMs,
      rule.windowMs,
      SLOTS,
      rule.cases.length,
      rule.distinct === undefined ? '0' : '1',
      this.#cap,
      rule.anomaly ? '1' : '0',
      alpha,
      ttl,
      SLICE,
      BUCKETS,
      input.hits.length,
    ];
    for (const hit of input.hits) args.push(hit.caseIndex, hit.whileSignal ? '1' : '0', hit.value === undefined ? '' : `=${hit.value}`);
    const reply = await this.#scripts.hushDetectObserve(...args);
    const counts: CaseCounts[] = [];
    for (let i = 0; i < rule.cases.length; i++) {
      const expected = Number(reply[3 + i * 4]);
      counts.push({
        count: Number(reply[1 + i * 4]),
        distinct: Number(reply[2 + i * 4]),
        expected: rule.anomaly ? expected : Number.NaN,
        learnedMs: Number(reply[4 + i * 4]),
      });
    }
    return { counts, signalAlive: reply[0] === 1 };
  }

  async raise(input: RaiseInput): Promise<RaiseResult> {
    const r = await this.#scripts.hushDetectRaise(
      `${this.#prefix}${input.key}:s`,
      input.now,
      input.severity,
      input.keepAliveMs,
      input.maxDurationMs,
      input.newId,
      input.caseIndex,
      input.hasResponses ? '1' : '0',
      input.respondForMs,
      input.updateEveryMs,
    );
    return {
      id: String(r[0]),
      status: String(r[1]) as RaiseResult['status'],
      severity: Number(r[2]),
      firstSeen: Number(r[3]),
      lastSeen: Number(r[4]),
      expiresAt: Number(r[5]),
      hits: Number(r[6]),
      respond: r[7] === 1,
    };
  }

  async sample(rule: Rule, key: string, _groupKey: string, caseIndex: number, limit: number): Promise<string[]> {
    if (rule.distinct === undefined) return [];
    return this.#redis.zrange(`${this.#prefix}${key}:v${caseIndex}`, -limit, -1);
  }

  /** Redis bounds itself by expiry; groups are not counted here (that would need a scan). */
  stats(): StateStats {
    return { groups: 0, evictions: 0 };
  }

  async close(): Promise<void> {
    if (this.#owned) await this.#redis.quit().catch(() => undefined);
  }
}
