import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Deliverer, OutboxWriter } from '../core/outbox.js';
import type { Clock } from '../kernel/clock.js';
import type { Config } from '../kernel/config.js';
import type { Logger } from '../kernel/log.js';
import type { Random } from '../kernel/random.js';
import { Detection, eventDeliverer } from './detection.js';
import { DetectionEngine } from './engine.js';
import type { Detected } from './engine.js';
import { detectionMetrics } from './metrics.js';
import { defaultRulesDir, loadRules } from './load-rules.js';
import { MemoryState } from './memory-state.js';
import { RedisState } from './redis-state.js';
import type { DetectionResponder } from './responder.js';
import type { DetectionState } from './state.js';
import type { DetectionStores } from './stores.js';
import { webhookDeliverer, webhookSigningKey } from './webhook.js';

export interface DetectionServiceOptions {
  config: Config;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** The instance secret (webhook signing key is derived from it). */
  secret: string;
  /** Where events and signals are kept (store/ implements them; the composition root builds them). */
  stores: DetectionStores;
  /** Shared windows for several instances; absent: this process's memory. */
  redis?: Redis;
  responder?: DetectionResponder;
  outbox?: OutboxWriter;
  /** Where detection's metrics go (hush_detect_*). */
  metrics?: Registry;
}

export interface DetectionService {
  detection: Detection;
  /** The engine's windows: memory or Redis. */
  state: DetectionState;
  /** Plug these into the outbox worker: `event` (flows' events → detection) and `webhook` (notify). */
  deliverers: Deliverer[];
  close(): Promise<void>;
}

/**
 * Detection assembled from the configuration: the shipped rules then
 * HUSH_RULES_DIR (a bad file stops start-up with every problem listed), state
 * in Redis when there is one, the stores it is handed, responses through the
 * responder and the outbox.
 */
export function createDetectionService(o: DetectionServiceOptions): DetectionService {
  const rules = loadRules([defaultRulesDir(), ...(o.config.rulesDir === undefined ? [] : [o.config.rulesDir])]);
  const state = o.redis ? new RedisState({ redis: o.redis, prefix: `${o.config.redisPrefix}detect:` }) : new MemoryState();
  const engine = new DetectionEngine({ rules, state, clock: o.clock, random: o.random });
  let onDetected: ((found: Detected) => void) | undefined;
  const detection = new Detection({
    onDetected: (found) => onDetected?.(found),
    engine,
    logger: o.logger.child({ component: 'detect' }),
    ...(o.stores.events ? { events: o.stores.events } : {}),
    ...(o.stores.signals ? { signals: o.stores.signals } : {}),
    origin: o.config.origin,
    ...(o.responder ? { responder: o.responder } : {}),
    ...(o.outbox ? { outbox: o.outbox } : {}),
  });
  if (o.metrics) {
    const m = detectionMetrics(o.metrics, state, () => detection.failures);
    onDetected = (found) => m.observe(found);
  }
  o.logger.info({ rules: rules.map((r) => r.id), state: state.kind }, 'detection rules loaded');
  return {
    detection,
    state,
    deliverers: [eventDeliverer(detection), webhookDeliverer({ signingKey: webhookSigningKey(o.secret), clock: o.clock })],
    close: () => state.close(),
  };
}
