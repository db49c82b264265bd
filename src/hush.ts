/**
 * The composition root: builds one hush instance from its configuration, in
 * an order visible here — store, mail, guards, detection, flows, HTTP. The
 * server (`hush serve`) and tests use it; nothing else builds these parts.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { Redis } from 'ioredis';
import type { Hono } from 'hono';
import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { Config } from './kernel/config.js';
import type { Clock } from './kernel/clock.js';
import { systemClock } from './kernel/clock.js';
import type { Random } from './kernel/random.js';
import { cryptoRandom } from './kernel/random.js';
import type { Logger } from './kernel/log.js';
import { createLogger } from './kernel/log.js';
import type { AccountEvent, EventSink } from './core/event.js';
import type { Deliverer } from './core/outbox.js';
import { Envelope } from './core/envelope.js';
import { PasswordHasher } from './core/password.js';
import { PasswordPolicy } from './core/password-policy.js';
import { Tokens } from './core/token.js';
import { Sessions } from './core/session.js';
import type { FlowDeps } from './core/flows/index.js';
import { openDatabase } from './store/database.js';
import type { DatabaseHandle } from './store/database.js';
import { migrate } from './store/migrate.js';
import { loadOrCreateSecret } from './store/data-dir.js';
import { KyselyAccountStore } from './store/account-store.js';
import { Janitor } from './store/janitor.js';
import { SqlBlockStore } from './store/blocks.js';
import { SqlPowReplay } from './store/pow-replay.js';
import { createGuards, clientAddress } from './guard/guards.js';
import type { Guards } from './guard/guards.js';
import { OutboxWorker, createMailDeliverer, createMailTransport } from './mail/index.js';
import type { MailTransport } from './mail/index.js';
import { createApp } from './http/app.js';
import { accountApi } from './http/api/account.js';
import { healthRoutes } from './http/health.js';
import { httpMetrics } from './http/http-metrics.js';
import { requestLog } from './http/request-log.js';
import { cors, refuseInsecureTokens, securityHeaders } from './http/security.js';
import { csrf } from './http/csrf.js';
import { powApi } from './http/api/pow.js';
import { eventsApi } from './http/api/events.js';
import { signalsApi } from './http/api/signals.js';
import { apiKeyAuth } from './http/api/api-key-auth.js';
import { blockAdmin } from './http/admin/blocks.js';
import { createDetectionService, guardsResponder } from './detect/index.js';
import type { DetectionService } from './detect/index.js';
import { SessionCookie } from './http/cookies.js';
import { hostedPages } from './http/pages/index.js';
import { listen } from './http/server.js';
import type { RunningServer } from './http/server.js';

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
  readonly store: KyselyAccountStore;
  readonly worker: OutboxWorker;
  readonly guards: Guards;
  readonly detect: DetectionService;
  readonly envelope: Envelope;
  /** The flows' dependencies: what a library user calls flows with. */
  readonly flows: FlowDeps;
  readonly metrics: Registry;
  /** Serves the app on the configured host and port. */
  listen(): Promise<RunningServer>;
  /** Stops the worker and closes the stores. Call after the server has closed. */
  close(): Promise<void>;
}

export async function createHush(options: HushOptions): Promise<Hush> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
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

    // The worker polls on its own clock and is never woken by a request: delivering right after a
    // commit would put the effect's CPU time inside that request's reply window (a timing channel).
    const store = new KyselyAccountStore(database.db, { clock, random });
    const events: EventSink = { record: async (event: AccountEvent): Promise<void> => void (await store.outbox.enqueue('event', event)) };

    const guards = await createGuards({ config, clock, random, logger, events, metrics, db: database.db, secret, redisPrefix: config.redisPrefix, ...(redis ? { redis } : {}) });
    closers.unshift(() => guards.close());

    // Detection reads the events the outbox delivers, and answers through the guards.
    const detect: DetectionService = createDetectionService({
      config, db: database.db, clock, random, logger, secret, metrics, responder: guardsResponder(guards), outbox: store.outbox, ...(redis ? { redis } : {}),
    });
    closers.unshift(() => detect.close());

    const transport: MailTransport = createMailTransport(config, clock);
    closers.unshift(() => transport.close());
    const deliverers: Deliverer[] = [createMailDeliverer({ transport, config }), ...detect.deliverers];
    const worker = new OutboxWorker({ db: database.db, deliverers, clock, random, logger: logger.child({ component: 'outbox' }), metrics, pollMs: 200 });

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
      settings: { origin: config.origin, recoveryTtlMs: config.recoveryTtl, magicTtlMs: config.magicTtl, verifyTtlMs: config.verifyTtl },
    };
    const envelope = new Envelope({ clock, floorMinMs: config.floorMin, concurrency: config.flowConcurrency, enabled: options.envelope ?? true });
    new Gauge({
      name: 'hush_envelope_flows',
      help: 'Account flows working now, and waiting in line to be admitted (HUSH_FLOW_CONCURRENCY): a line that never empties says the machine is short of CPU.',
      labelNames: ['state'] as const,
      registers: [metrics],
      collect() {
        const { active, queued } = envelope.load;
        this.set({ state: 'working' }, active);
        this.set({ state: 'waiting' }, queued);
      },
    });
    if (options.envelope === false) logger.warn('the envelope is OFF (no timing floor, no dummy hash): replies reveal account existence through timing');

    let stopping = false;
    const address = (c: Context): string => {
      const socket = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket?.remoteAddress ?? '0.0.0.0';
      return clientAddress(socket, c.req.raw.headers, guards.trust);
    };
    const app = createApp({
      logger,
      middleware: [
        securityHeaders({ origin: config.origin }),
        cors({ origins: config.corsOrigins }),
        csrf({ origin: config.origin, corsOrigins: config.corsOrigins }),
        refuseInsecureTokens({ origin: config.origin, trust: guards.trust }),
        httpMetrics(metrics),
        requestLog(logger.child({ component: 'http' })),
      ],
      routes: [
        healthRoutes({ db: database.db, metrics, isStopping: () => stopping }),
        accountApi({ flows, envelope, guards, cookie: new SessionCookie(config.origin), clock, logger, clientAddress: address }),
        powApi({ guards, clientAddress: address }),
        eventsApi({ intake: detect.detection, apiKeys: detect.apiKeys, clock, logger }),
        signalsApi({ signals: detect.signals, apiKeys: detect.apiKeys, clock }),
        blockAdmin({ guards, authorize: apiKeyAuth(detect.apiKeys, 'admin') }),
        hostedPages({ config, flows, envelope, guards, cookie: new SessionCookie(config.origin), clock, logger, clientAddress: address }),
      ],
    });

    const blocks = new SqlBlockStore(database.db);
    const spentPow = new SqlPowReplay(database.db);
    const janitor = new Janitor({
      clock,
      logger,
      sweeps: [
        (now) => store.tokens.pruneExpired(now),
        (now) => store.sessions.pruneExpired(now),
        (now) => blocks.purgeExpired(now.getTime()),
        (now) => spentPow.sweep(now.getTime()),
      ],
    });
    if (options.worker ?? true) {
      worker.start();
      janitor.start();
      detect.start();
    }

    return {
      config, app, logger, database, store, worker, guards, detect, envelope, flows, metrics,
      listen: () => listen(app, { host: config.host, port: config.port }),
      async close(): Promise<void> {
        stopping = true;
        janitor.stop();
        await worker.stop();
        for (const close of closers) await close();
      },
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => undefined);
    throw err;
  }
}
