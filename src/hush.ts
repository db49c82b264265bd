/**
 * The composition root: the one place that builds hush's parts, for the
 * server (`hush serve`, tests) and the CLI alike, in an order visible here —
 * database and stores, guards, detection, mail and the outbox worker, the
 * flows and their runner, HTTP. docs/architecture.md draws the layers.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Redis } from 'ioredis';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Config } from './kernel/config.js';
import type { Clock } from './kernel/clock.js';
import { systemClock } from './kernel/clock.js';
import type { Random } from './kernel/random.js';
import { RequestRandom, cryptoRandom } from './kernel/random.js';
import type { Logger } from './kernel/log.js';
import { createLogger, silentLogger } from './kernel/log.js';
import type { AccountEvent, EventSink } from './core/event.js';
import type { Deliverer } from './core/outbox.js';
import { Envelope } from './core/envelope.js';
import { PasswordHasher } from './core/password.js';
import { PasswordPolicy } from './core/password-policy.js';
import { Tokens } from './core/token.js';
import { Sessions } from './core/session.js';
import { SECOND_FACTOR_MAX_FAILURES, SECOND_FACTOR_WINDOW_MS, SECOND_STEP_TTL_MS, SecondFactor } from './core/second-factor.js';
import { SecretBox } from './core/secret-box.js';
import { PwnedRangeCheck } from './core/breached.js';
import { runGuarded } from './core/guarded-flow.js';
import type { GuardedDeps, GuardedOutcome } from './core/guarded-flow.js';
import type { FlowDeps, GuardedFlow, RequestMeta } from './core/flows/index.js';
import { createGuards } from './guard/guards.js';
import type { Guards } from './guard/guards.js';
import { BlockList } from './guard/block-list.js';
import { guardMetrics } from './guard/metrics.js';
import type { GuardStores } from './guard/stores.js';
import { SEVERITIES } from './detect/rule-schema.js';
import { createDetectionService, guardsResponder } from './detect/index.js';
import type { DetectionService } from './detect/index.js';
import { OutboxWorker } from './outbox/worker.js';
import { createMailDeliverer, createMailTransport } from './mail/index.js';
import type { MailTransport } from './mail/index.js';
import { openDatabase } from './store/database.js';
import type { DatabaseHandle } from './store/database.js';
import type { Database } from './store/schema.js';
import { migrate } from './store/migrate.js';
import type { MigrationResult } from './store/migrate.js';
import { loadOrCreateSecret } from './store/data-dir.js';
import { KyselyAccountStore } from './store/account-store.js';
import { Janitor } from './store/janitor.js';
import { OutboxRepository } from './store/outbox.js';
import { MemoryBlockStore, SqlBlockStore } from './store/blocks.js';
import { MemoryPowReplay, RedisPowReplay, SqlPowReplay } from './store/pow-replay.js';
import { EventRetention, SqlEventStore } from './store/events.js';
import { SqlSignalStore } from './store/signals.js';
import { SqlApiKeyStore } from './store/api-keys.js';
import { createApp } from './http/app.js';
import { accountApi } from './http/api/account.js';
import { secondFactorApi } from './http/api/second-factor.js';
import { requestClient } from './http/client.js';
import { healthRoutes } from './http/health.js';
import { keyedMetrics, metricsApp } from './http/metrics.js';
import { envelopeGauge, httpMetrics } from './http/http-metrics.js';
import { requestLog } from './http/request-log.js';
import { cors, refuseInsecureTokens, securityHeaders } from './http/security.js';
import { csrf } from './http/csrf.js';
import { powApi } from './http/api/pow.js';
import { eventsApi } from './http/api/events.js';
import { signalsApi } from './http/api/signals.js';
import { apiKeyAuth } from './http/api/api-key-auth.js';
import { forwardAuthApi } from './http/api/forward-auth.js';
import { returnToSettings } from './http/return-to.js';
import { sessionCheckApi } from './http/api/session-check.js';
import { openApiRoutes } from './http/api/openapi.js';
import { blockAdmin } from './http/admin/blocks.js';
import { SessionCookie } from './http/cookies.js';
import { hostedPages } from './http/pages/index.js';
import { securityConsole } from './http/console/index.js';
import { ConsoleAccessStore } from './store/console-access.js';
import { ConsoleOverviewStore } from './store/console-overview.js';
import { ConsoleEventStore } from './store/console-events.js';
import { ConsoleSignalStore } from './store/console-signals.js';
import { listen } from './http/server.js';
import type { RunningServer } from './http/server.js';

/** Every table hush keeps, one instance each: what the flows, guards, detection, the janitor and the CLI share. */
export interface Stores {
  /** Identities, tokens, sessions and the outbox, with transactions over them (core's AccountStore). */
  account: KyselyAccountStore;
  /** The outbox table as the worker reads it (outbox's OutboxQueue); flows write it through `account`. */
  outbox: OutboxRepository;
  /** The block list's table (guard's BlockStore). */
  blocks: SqlBlockStore;
  /** Spent proof-of-work solutions (guard's PowReplayStore). */
  spentPow: SqlPowReplay;
  /** Accepted events (detect's EventStore). */
  events: SqlEventStore;
  /** Detection signals (detect's SignalStore). */
  signals: SqlSignalStore;
  apiKeys: SqlApiKeyStore;
}

export function createStores(db: Kysely<Database>, deps: { clock: Clock; random: Random }): Stores {
  return {
    account: new KyselyAccountStore(db, deps),
    outbox: new OutboxRepository(db, deps.clock, deps.random),
    blocks: new SqlBlockStore(db),
    spentPow: new SqlPowReplay(db),
    events: new SqlEventStore(db),
    signals: new SqlSignalStore(db, SEVERITIES),
    apiKeys: new SqlApiKeyStore({ db, ...deps }),
  };
}

/**
 * The guards' stores: the database's block list and replay table when there
 * is a database (else this process's memory), and Redis's replay, shared by
 * every instance with the same prefix, when there is Redis.
 */
export function guardStores(options: { stores?: Pick<Stores, 'blocks' | 'spentPow'>; redis?: Redis; redisPrefix?: string } = {}): GuardStores {
  const { stores, redis } = options;
  return {
    blocks: stores?.blocks ?? new MemoryBlockStore(),
    spentPow: stores?.spentPow ?? new MemoryPowReplay(),
    ...(redis === undefined ? {} : { sharedSpentPow: new RedisPowReplay(redis, `${options.redisPrefix ?? 'hush:'}pow:spent:`) }),
  };
}

/** What an operator command works with: the stores, and the block list over its table. */
export interface OperatorParts extends Stores {
  database: DatabaseHandle;
  blockList: BlockList;
}

/** `hush migrate`: opens the configured database, applies what migrations it lacks, and closes it. */
export async function migrateDatabase(config: Config): Promise<MigrationResult> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    return await migrate(database.db);
  } finally {
    await database.close();
  }
}

/** For the CLI: opens the configured database, migrated, builds its stores, runs `work`, and always closes it (releasing the data-folder lock). */
export async function withStores<T>(config: Config, work: (parts: OperatorParts) => Promise<T>): Promise<T> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrate(database.db);
    const deps = { clock: systemClock, random: cryptoRandom };
    const stores = createStores(database.db, deps);
    const blockList = new BlockList({ store: stores.blocks, ...deps, logger: silentLogger(), metrics: guardMetrics(new Registry()) });
    return await work({ ...stores, database, blockList });
  } finally {
    await database.close();
  }
}

export interface HushOptions {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  random?: Random;
  /** False switches the envelope off (its floor and the dummy hash): only to prove that timing tests can see a leak. */
  envelope?: boolean;
  /** False leaves the outbox worker stopped (tests that drive it by hand). */
  worker?: boolean;
  /** An already open database (tests pass an in-memory one); the instance closes it. */
  database?: DatabaseHandle;
}

export interface Hush {
  readonly config: Config;
  readonly app: Hono;
  readonly logger: Logger;
  readonly database: DatabaseHandle;
  /** The account store (identities, tokens, sessions, outbox): `stores.account`. */
  readonly store: KyselyAccountStore;
  readonly stores: Stores;
  readonly worker: OutboxWorker;
  readonly guards: Guards;
  readonly detect: DetectionService;
  readonly envelope: Envelope;
  /** The flows' dependencies: what a library user calls flows with. */
  readonly flows: FlowDeps;
  /** What core's guarded-flow runner needs (flows, envelope, guards, logger). */
  readonly guarded: GuardedDeps;
  /** Runs one guarded flow as the API and the pages do: parse, guards, flow, inside the envelope. */
  runGuarded<I>(flow: GuardedFlow<I>, fields: Readonly<Record<string, unknown>>, meta: RequestMeta): Promise<GuardedOutcome>;
  readonly metrics: Registry;
  /** Serves the app on the configured host and port. */
  listen(): Promise<RunningServer>;
  /**
   * Serves `/metrics` on HUSH_METRICS_LISTEN (undefined when it is `off`, or
   * when the address cannot be bound: that is logged, and the server goes on).
   */
  listenMetrics(): Promise<RunningServer | undefined>;
  /** Stops the worker and closes the stores. Call after the server has closed. */
  close(): Promise<void>;
}

export async function createHush(options: HushOptions): Promise<Hush> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  // Each request draws from a stream of its own (kernel/random.ts): what one path draws never shifts the next request's draws.
  const random = new RequestRandom(options.random ?? cryptoRandom);
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'hush_' });

  const { secret, generated } = loadOrCreateSecret(config.dataDir, config.secret);
  if (generated) logger.warn({ dataDir: config.dataDir }, 'generated a new instance secret in the data folder (mode 0600); set HUSH_SECRET to share one across instances');

  const database = options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  const closers: (() => Promise<void>)[] = [() => database.close()];
  try {
    const migrated = await migrate(database.db);
    logger.info({ store: database.kind, version: migrated.current, applied: migrated.applied.length }, 'database ready');

    let redis: Redis | undefined;
    if (config.redisUrl !== undefined) {
      redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, lazyConnect: true });
      redis.on('error', () => undefined); // reported through the guards' store health, not as an unhandled error
      const r = redis;
      closers.unshift(async () => void (await r.quit().catch(() => r.disconnect())));
      await redis.connect().catch((err: unknown) => logger.warn({ err }, 'Redis is unreachable at start; local insurance limits hold until it answers'));
    }

    const stores = createStores(database.db, { clock, random });
    const store = stores.account;
    // Guards' events go through the outbox like the flows' (never lost). The worker polls on its own clock and is
    // never woken by a request: delivering right after a commit would put the effect's CPU time inside that
    // request's reply window (a timing channel).
    const events: EventSink = { record: async (event: AccountEvent): Promise<void> => void (await store.outbox.enqueue('event', event)) };

    const guards = await createGuards({
      config, clock, random, logger, events, metrics, secret, redisPrefix: config.redisPrefix,
      stores: guardStores({ stores, ...(redis ? { redis } : {}), redisPrefix: config.redisPrefix }),
      ...(redis ? { redis } : {}),
    });
    closers.unshift(() => guards.close());

    // Detection reads the events the outbox delivers, and answers through the guards.
    const detect: DetectionService = createDetectionService({
      config, clock, random, logger, secret, metrics, responder: guardsResponder(guards), outbox: store.outbox,
      stores: { events: stores.events, signals: stores.signals },
      ...(redis ? { redis } : {}),
    });
    closers.unshift(() => detect.close());

    // The outbox worker: mail and detection plug in as deliverers.
    const transport: MailTransport = createMailTransport(config, clock);
    closers.unshift(() => transport.close());
    const deliverers: Deliverer[] = [createMailDeliverer({ transport, config, clock }), ...detect.deliverers];

    const hasher = await PasswordHasher.create(
      { memoryCost: config.argon2Memory, timeCost: config.argon2Time, parallelism: config.argon2Parallelism },
      { equalWork: options.envelope ?? true, threads: config.hashThreads },
    );
    closers.unshift(() => hasher.close());
    const flows: FlowDeps = {
      store,
      hasher,
      policy: PasswordPolicy.withShippedList(config.passwordMinLength),
      tokens: new Tokens({ clock, random }),
      sessions: new Sessions({ clock, random, policy: { idleMs: config.sessionTtl, maxAgeMs: config.sessionMaxAge } }),
      clock,
      random,
      settings: {
        origin: config.origin, recoveryTtlMs: config.recoveryTtl, magicTtlMs: config.magicTtl, verifyTtlMs: config.verifyTtl,
        basePath: config.basePath, returnToOrigins: config.returnToOrigins,
      },
      ...(config.breachedPasswords === 'off'
        ? {}
        : {
            breached: new PwnedRangeCheck({
              url: config.breachedUrl,
              timeoutMs: config.breachedTimeout,
              failClosed: config.breachedPasswords === 'fail-closed',
              clock,
              fetch: globalThis.fetch,
              onFailure: (err) => logger.warn({ err }, 'the breached-password check could not reach the range API'),
            }),
          }),
      secondFactor: new SecondFactor({
        box: new SecretBox(secret, 'totp', random),
        clock,
        random,
        instanceSecret: secret,
        settings: { issuer: config.productName, stepTtlMs: SECOND_STEP_TTL_MS, maxFailures: SECOND_FACTOR_MAX_FAILURES, failureWindowMs: SECOND_FACTOR_WINDOW_MS },
      }),
    };
    const envelope = new Envelope({ clock, floorMinMs: config.floorMin, concurrency: config.flowConcurrency, enabled: options.envelope ?? true });
    // Each step of the worker waits for a moment when no reply is due for release (design.md §4.10).
    const worker = new OutboxWorker({
      queue: stores.outbox, deliverers, clock, random, logger: logger.child({ component: 'outbox' }), metrics, pollMs: 200, pace: () => envelope.quiet(),
    });
    envelopeGauge(metrics, envelope);
    if (options.envelope === false) logger.warn('the envelope is OFF (no timing floor, no dummy hash): replies reveal account existence through timing');
    const guarded: GuardedDeps = { flows, envelope, guards, logger };

    // The security console (docs/console.md): its stores, and the rule switches operators set there, applied at start.
    const consoleStores = {
      access: new ConsoleAccessStore(database.db),
      overview: new ConsoleOverviewStore(database.db),
      events: new ConsoleEventStore(database.db),
      signals: new ConsoleSignalStore(database.db),
    };
    for (const s of await consoleStores.access.rules()) detect.detection.engine.switchRule(s.ruleId, s.enabled);

    let stopping = false;
    const client = requestClient(guards.trust);
    const cookie = new SessionCookie(config.origin, config.cookieDomain);
    const app = createApp({
      logger,
      basePath: config.basePath,
      middleware: [
        (_c, next) => random.run(next),
        securityHeaders({ origin: config.origin }),
        cors({ origins: config.corsOrigins }),
        csrf({ origin: config.origin, corsOrigins: config.corsOrigins }),
        refuseInsecureTokens({ origin: config.origin, trust: client.trust }),
        httpMetrics(metrics),
        requestLog(logger.child({ component: 'http' })),
      ],
      routes: [
        healthRoutes({ db: database.db, isStopping: () => stopping }),
        keyedMetrics({ metrics, key: config.metricsKey }),
        accountApi({ guarded, cookie, client }),
        forwardAuthApi({ flows, cookie, email: config.forwardAuthEmail, returnTo: returnToSettings(flows.settings) }),
        sessionCheckApi({ flows, apiKeys: stores.apiKeys, email: config.forwardAuthEmail }),
        openApiRoutes({ origin: config.origin, basePath: config.basePath, productName: config.productName }),
        secondFactorApi({ guarded, cookie, client }),
        powApi({ guards, clientAddress: client.address }),
        eventsApi({ intake: detect.detection, apiKeys: stores.apiKeys, clock, logger }),
        signalsApi({ signals: stores.signals, apiKeys: stores.apiKeys, clock }),
        blockAdmin({ guards, authorize: apiKeyAuth(stores.apiKeys, 'admin') }),
        hostedPages({ config, guarded, cookie, client }),
        securityConsole({
          productName: config.productName, origin: config.origin, corsOrigins: config.corsOrigins, powBase: config.powDifficulty,
          clock, logger, sessions: flows.sessions, sessionStore: store.sessions, cookie, client, guards,
          engine: detect.detection.engine, signals: stores.signals, stores: consoleStores, events,
        }),
      ],
    });

    const retention = new EventRetention({ store: stores.events, clock, logger, retentionMs: config.eventRetention });
    const janitor = new Janitor({
      clock,
      logger,
      pace: () => envelope.quiet(),
      sweeps: [
        (now) => store.tokens.pruneExpired(now),
        (now) => store.sessions.pruneExpired(now),
        (now) => store.secondFactors.pruneSteps(now),
        (now) => stores.blocks.purgeExpired(now.getTime()),
        (now) => stores.spentPow.sweep(now.getTime()),
        (now) => stores.outbox.pruneSettled(new Date(now.getTime() - config.outboxRetention)),
      ],
    });
    if (options.worker ?? true) {
      worker.start();
      janitor.start();
      retention.start();
    }

    return {
      config, app, logger, database, store, stores, worker, guards, detect, envelope, flows, guarded, metrics,
      runGuarded: (flow, fields, meta) => runGuarded(guarded, flow, fields, meta),
      listen: () => listen(app, { host: config.host, port: config.port }),
      async listenMetrics(): Promise<RunningServer | undefined> {
        if (config.metricsListen === null) return undefined;
        try {
          return await listen(metricsApp(metrics), config.metricsListen);
        } catch (err) {
          logger.error({ err, listen: `${config.metricsListen.host}:${config.metricsListen.port}` }, 'the metrics listener could not bind; /metrics is not served (set HUSH_METRICS_LISTEN to a free address, or off)');
          return undefined;
        }
      },
      async close(): Promise<void> {
        stopping = true;
        janitor.stop();
        retention.stop();
        await worker.stop();
        for (const close of closers) await close();
      },
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => undefined);
    throw err;
  }
}
