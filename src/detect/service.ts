import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Kysely } from 'kysely';
import type { Deliverer, OutboxWriter } from '../core/outbox.js';
import type { Clock } from '../kernel/clock.js';
import type { Config } from '../kernel/config.js';
import type { Logger } from '../kernel/log.js';
import type { Random } from '../kernel/random.js';
import { SqlApiKeyStore } from '../store/api-keys.js';
import { EventRetention, SqlEventStore } from '../store/events.js';
import type { Database } from '../store/schema.js';
import { SqlSignalStore } from '../store/signals.js';
import { Detection, eventDeliverer } from './detection.js';
import { DetectionEngine } from './engine.js';
import type { Detected } from './engine.js';
import { detectionMetrics } from './metrics.js';
import { defaultRulesDir, loadRules } from './load-rules.js';
import { MemoryState } from './memory-state.js';
import { RedisState } from './redis-state.js';
import type { DetectionResponder } from './responder.js';
import { webhookDeliverer, webhookSigningKey } from './webhook.js';

export interface DetectionServiceOptions {
  config: Config;
  db: Kysely<Database>;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** The instance secret (webhook signing key is derived from it). */
  secret: string;
  /** Shared state for several instances; absent: memory. */
  redis?: Redis;
  responder?: DetectionResponder;
  outbox?: OutboxWriter;
  /** Where detection's metrics go (hush_detect_*). */
  metrics?: Registry;
}

export interface DetectionService {
  detection: Detection;
  apiKeys: SqlApiKeyStore;
  signals: SqlSignalStore;
  events: SqlEventStore;
  /** Hand these to the outbox worker: `event` (flows' events → detection) and `webhook` (notify). */
  deliverers: Deliverer[];
  /** Starts background retention pruning. */
  start(): void;
  stop(): void;
  close(): Promise<void>;
}

/**
 * Detection assembled from the configuration: the shipped rules then
 * HUSH_RULES_DIR (a bad file stops start-up with every problem listed), state
 * in Redis when there is one, stores on the database, responses through the
 * responder and the outbox. The composition root mounts eventsApi and
 * signalsApi with `detection`, `apiKeys` and `signals` from here.
 */
export function createDetectionService(o: DetectionServiceOptions): DetectionService {
  const rules = loadRules([defaultRulesDir(), ...(o.config.rulesDir === undefined ? [] : [o.config.rulesDir])]);
  const state = o.redis ? new RedisState({ redis: o.redis, prefix: `${o.config.redisPrefix}detect:` }) : new MemoryState();
  const engine = new DetectionEngine({ rules, state, clock: o.clock, random: o.random });
  const events = new SqlEventStore(o.db);
  const signals = new SqlSignalStore(o.db);
  let onDetected: ((found: Detected) => void) | undefined;
  const detection = new Detection({
    onDetected: (found) => onDetected?.(found),
    engine,
    logger: o.logger.child({ component: 'detect' }),
    events,
    signals,
    origin: o.config.origin,
    ...(o.responder ? { responder: o.responder } : {}),
    ...(o.outbox ? { outbox: o.outbox } : {}),
  });
  if (o.metrics) {
    const m = detectionMetrics(o.metrics, state, () => detection.failures);
    onDetected = (found) => m.observe(found);
  }
  const retention = new EventRetention({ store: events, clock: o.clock, logger: o.logger, retentionMs: o.config.eventRetention });
  o.logger.info({ rules: rules.map((r) => r.id), state: state.kind }, 'detection rules loaded');
  return {
    detection,
    apiKeys: new SqlApiKeyStore({ db: o.db, clock: o.clock, random: o.random }),
    signals,
    events,
    deliverers: [eventDeliverer(detection), webhookDeliverer({ signingKey: webhookSigningKey(o.secret), clock: o.clock })],
    start: () => retention.start(),
    stop: () => retention.stop(),
    close: async () => {
      retention.stop();
      await state.close();
    },
  };
}
