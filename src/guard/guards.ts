/**
 * The guard chain: the defenses that run before a flow (design.md §2).
 *
 * ## The seam (core/guarding.ts, called by core's guarded-flow runner)
 *
 * Inside the envelope, before each guarded flow (`runGuarded`):
 *
 *     const verdict = await guards.check({ action, address, identifier, fields, userAgent });
 *
 * where `address` comes from `clientAddress(socketAddress, headers, guards.trust)`,
 * computed once per request by the HTTP layer.
 *
 * - `pass`: run the flow.
 * - `silent`: send the flow's normal reply and drop its effects (no mail, no
 *   state change); the guard has already recorded its event. For `login` and
 *   `confirm` the normal reply is the failure reply (wrong password, bad
 *   token) produced with the same work as a real check; never a session.
 * - `throttle` (`login`, `confirm`): `429` with `Retry-After: retryAfterSeconds`,
 *   the same body for every identifier.
 * - `reject`: `error.status` (400) with `error.toJSON()`: a missing or bad
 *   proof-of-work, which depends only on the request.
 *
 * After a login's password check: `loginFailed(address, identifier)` or
 * `loginSucceeded(address, identifier)`, for unknown identifiers too (a
 * failure is a failure, whether or not the account exists).
 *
 * A guard decides from the request, never from whether the account exists:
 * nothing here reads an account, and unknown identifiers are counted exactly
 * like known ones.
 *
 * Order of the chain: block list → honeypot → proof-of-work → rate limits.
 * Proof-of-work comes before the limits so that only paid requests spend budget.
 */
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Challenge } from 'altcha-lib';
import type { Clock } from '../kernel/clock.js';
import type { Random } from '../kernel/random.js';
import type { Config } from '../kernel/config.js';
import type { Logger } from '../kernel/log.js';
import { HushError } from '../kernel/errors.js';
import type { EventSink } from '../core/event.js';
import type { FlowGuards, GuardInput, GuardedAction, SilentGuard, Verdict } from '../core/guarding.js';
import type { BlockRecord, GuardStores } from './stores.js';
import { ProxyTrust, addressKey } from './address.js';
import { BlockList } from './block-list.js';
import { Difficulty } from './difficulty.js';
import { honeypotTripped } from './honeypot.js';
import { LimiterFactory } from './limiter.js';
import { RateLimits } from './limits.js';
import { guardMetrics } from './metrics.js';
import type { GuardMetrics } from './metrics.js';
import { POW_FAILURE_REASONS, ProofOfWork } from './pow.js';
import type { PowFailure } from './pow.js';
import { FallbackPowReplay } from './replay.js';
import { StoreHealth } from './store-health.js';

export { clientAddress, addressKey, normalizeIp, ProxyTrust } from './address.js';

export { GUARDED_ACTIONS } from '../core/guarding.js';
export type { GuardedAction, GuardInput, SilentGuard, Verdict } from '../core/guarding.js';

export interface CreateGuardsOptions {
  config: Config;
  clock: Clock;
  random: Random;
  logger: Logger;
  events: EventSink;
  /** prom-client registry of this instance (not the global one). */
  metrics: Registry;
  /** The block list's store and the proof-of-work replay stores (built by the composition root). */
  stores: GuardStores;
  /** Shared counters across instances: limits and difficulty marks (rate-limiter-flexible), and the health of `stores.sharedSpentPow`. */
  redis?: Redis;
  /** Overrides the instance secret of `config` (the composition root resolves the generated one). */
  secret?: string;
  /** How stale the block-list cache may get. Default 5 s. */
  blockRefreshMs?: number;
  /** Namespace of every Redis key the guards write. Default `hush:`. */
  redisPrefix?: string;
}

const PASS: Verdict = { kind: 'pass' };

interface Parts {
  config: Config;
  clock: Clock;
  logger: Logger;
  events: EventSink;
  metrics: GuardMetrics;
  limits: RateLimits;
  difficulty: Difficulty;
  pow: ProofOfWork;
  blocks: BlockList;
  redis: Redis | undefined;
  onRedisReady: () => void;
  probe: NodeJS.Timeout | undefined;
}

export class Guards implements FlowGuards {
  /** The compiled HUSH_TRUST_PROXY, for `clientAddress`; undefined when headers are not trusted. */
  readonly trust: ProxyTrust | undefined;
  readonly #p: Parts;

  constructor(parts: Parts) {
    this.#p = parts;
    this.trust = parts.config.trustProxy === undefined ? undefined : new ProxyTrust(parts.config.trustProxy);
  }

  async check(input: GuardInput): Promise<Verdict> {
    const { action, address } = input;
    const key = addressKey(address);
    const p = this.#p;
    if (p.blocks.blocked(address)) return this.#silent(input, 'blocked', 'hush.guard.blocked', {});
    if (action !== 'confirm' && honeypotTripped(input.fields, p.config.honeypotField)) {
      await Promise.all([p.limits.penalize(action, key), p.difficulty.hit(key)]);
      return this.#silent(input, 'honeypot', 'hush.guard.honeypot', {});
    }
    if (await this.#powRequired(action, key)) {
      const result = await p.pow.verify(input.fields.pow, action, await p.difficulty.for(key));
      p.metrics.pow.inc({ outcome: result.ok ? 'ok' : result.failure });
      if (!result.ok) return this.#rejectPow(input, key, result.failure);
    }
    if (!p.limits.enabled) return PASS;
    if (action === 'login' || action === 'confirm') {
      const d = action === 'login' ? await p.limits.login(key, input.identifier) : await p.limits.confirm(key);
      if (!d.limited) return PASS;
      await p.difficulty.hit(key);
      const retryAfterSeconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
      await this.#record(input, 'hush.guard.throttle', { limit: d.key ?? 'address', retry_after_s: retryAfterSeconds });
      p.metrics.verdicts.inc({ action, verdict: 'throttle', guard: 'rate_limit' });
      return { kind: 'throttle', retryAfterSeconds };
    }
    const d = await p.limits.silent(action, key, input.identifier);
    if (!d.limited) return PASS;
    await p.difficulty.hit(key);
    return this.#silent(input, 'rate_limit', 'hush.guard.rate_limit', { limit: d.key ?? 'address' });
  }

  async #powRequired(action: GuardedAction, key: string): Promise<boolean> {
    const { config, limits } = this.#p;
    if (!config.pow || action === 'confirm' || !config.powEndpoints.includes(action)) return false;
    return action !== 'login' || limits.loginNeedsPow(key);
  }

  async #rejectPow(input: GuardInput, key: string, failure: PowFailure): Promise<Verdict> {
    const p = this.#p;
    // A missing solution is what any client without the widget sends; only a bad one is an attack signal.
    if (failure !== 'missing') await Promise.all([p.limits.penalize(input.action, key), p.difficulty.hit(key)]);
    await this.#record(input, 'hush.guard.pow_failure', { reason: failure });
    p.metrics.verdicts.inc({ action: input.action, verdict: 'reject', guard: 'pow' });
    const code = failure === 'missing' ? 'HUSH_POW_REQUIRED' : 'HUSH_POW_INVALID';
    return { kind: 'reject', error: new HushError(code, { details: [{ field: 'pow', reason: POW_FAILURE_REASONS[failure] }] }) };
  }

  async #silent(input: GuardInput, guard: SilentGuard, event: string, attrs: Record<string, string | number>): Promise<Verdict> {
    await this.#record(input, event, attrs);
    this.#p.metrics.verdicts.inc({ action: input.action, verdict: 'silent', guard });
    return { kind: 'silent', guard };
  }

  async #record(input: GuardInput, name: string, attrs: Record<string, string | number>): Promise<void> {
    try {
      await this.#p.events.record({
        name,
        at: this.#p.clock.now(),
        ...(input.identifier === null ? {} : { 'usr.login': input.identifier }),
        'network.client.ip': input.address,
        ...(input.userAgent === undefined ? {} : { 'http.useragent': input.userAgent.slice(0, 512) }),
        source: 'hush',
        attrs: { action: input.action, ...attrs },
      });
    } catch (err) {
      // The verdict stands without its event; losing the event must not turn a guard into a pass.
      this.#p.logger.error({ err, event: name }, 'guard event could not be recorded');
    }
  }

  /** After a failed password check (known or unknown identifier alike). */
  async loginFailed(address: string, _identifier: string): Promise<void> {
    await this.#p.limits.loginFailed(addressKey(address));
  }

  /** After a successful login: clears that account's failures from that address. */
  async loginSucceeded(address: string, identifier: string): Promise<void> {
    await this.#p.limits.loginSucceeded(addressKey(address), identifier);
  }

  /** A challenge for `action` at the difficulty this client must solve now. */
  async powChallenge(action: GuardedAction, address: string): Promise<Challenge> {
    return this.#p.pow.challenge(action, await this.#p.difficulty.for(addressKey(address)));
  }

  /** Blocks an address or CIDR range (a bare IPv6 address blocks its /64). Silent to the client. */
  async blockIp(input: { cidr: string; durationMs: number; reason: string; source: string }): Promise<BlockRecord> {
    return this.#p.blocks.add(input);
  }

  async unblock(id: string): Promise<boolean> {
    return this.#p.blocks.remove(id);
  }

  async listBlocks(): Promise<BlockRecord[]> {
    return this.#p.blocks.list();
  }

  /** Raises the proof-of-work difficulty for an address (its /64 for IPv6) for `durationMs`. */
  async raisePow(address: string, durationMs: number, factor?: number): Promise<void> {
    await this.#p.difficulty.raise(addressKey(address), durationMs, factor);
  }

  /** The difficulty a client at `address` must solve now. */
  async powDifficulty(address: string): Promise<number> {
    return this.#p.difficulty.for(addressKey(address));
  }

  /** Detaches from the Redis client (which the caller owns and closes). */
  close(): Promise<void> {
    this.#p.redis?.off('ready', this.#p.onRedisReady);
    clearInterval(this.#p.probe);
    return Promise.resolve();
  }
}

/** Builds the guards of one instance and loads the block list. */
export async function createGuards(options: CreateGuardsOptions): Promise<Guards> {
  const { config, clock, random, logger, events, redis, stores } = options;
  const secret = options.secret ?? config.secret;
  if (secret === undefined) throw new Error('createGuards needs the instance secret (config.secret or options.secret)');
  const log = logger.child({ component: 'guard' });
  const metrics = guardMetrics(options.metrics);
  const limitsHealth = new StoreHealth('limits', log, metrics);
  const powHealth = new StoreHealth('pow_replay', log, metrics);
  const prefix = options.redisPrefix ?? 'hush:';
  const factory = new LimiterFactory({ clock, redis, health: limitsHealth, prefix });
  const shared = stores.sharedSpentPow;
  const replay = shared === undefined ? stores.spentPow : new FallbackPowReplay(shared, stores.spentPow, powHealth);
  const blocks = new BlockList({ store: stores.blocks, clock, random, logger: log, metrics, ...(options.blockRefreshMs === undefined ? {} : { refreshMs: options.blockRefreshMs }) });
  await blocks.refresh();
  const onRedisReady = (): void => {
    limitsHealth.restored();
    powHealth.restored();
  };
  redis?.on('ready', onRedisReady);
  // A timeout degrades without the connection dropping, so no 'ready' follows: probe until Redis answers.
  const probe =
    redis === undefined
      ? undefined
      : setInterval(() => {
          if (!limitsHealth.degraded || redis.status !== 'ready') return;
          redis.ping().then(onRedisReady, () => undefined);
        }, 2000).unref();
  if (!config.limits) log.warn('rate limits are OFF (HUSH_LIMITS=off): for benchmarks and load tests only');
  if (!config.pow) log.warn('proof-of-work is OFF (HUSH_POW=off)');
  log.info({ limits: redis === undefined ? 'memory' : 'redis+insurance', powReplay: shared === undefined ? 'local' : 'shared+local' }, 'guards ready');
  return new Guards({
    config,
    clock,
    logger: log,
    events,
    metrics,
    limits: new RateLimits(config, secret, factory),
    difficulty: new Difficulty(config.powDifficulty, factory),
    pow: new ProofOfWork({ secret, clock, random, replay }),
    blocks,
    redis,
    onRedisReady,
    probe,
  });
}
