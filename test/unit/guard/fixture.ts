import { Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { solveChallenge } from 'altcha-lib';
import type { Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { loadConfig } from '../../../src/kernel/config.js';
import type { Config } from '../../../src/kernel/config.js';
import { ManualClock } from '../../../src/kernel/clock.js';
import { SeededRandom } from '../../../src/kernel/random.js';
import { silentLogger } from '../../../src/kernel/log.js';
import type { Logger } from '../../../src/kernel/log.js';
import type { AccountEvent, EventSink } from '../../../src/core/event.js';
import type { Database } from '../../../src/store/schema.js';
import { createGuards } from '../../../src/guard/guards.js';
import { createStores, guardStores } from '../../../src/hush.js';
import type { Guards } from '../../../src/guard/guards.js';

/** Collects events in memory. */
export class EventLog implements EventSink {
  readonly events: AccountEvent[] = [];
  record(event: AccountEvent): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
  named(name: string): AccountEvent[] {
    return this.events.filter((e) => e.name === name);
  }
}

export const SECRET = 'test-secret-test-secret-test-secret-0123';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ HUSH_SECRET: SECRET, HUSH_POW_DIFFICULTY: '1000', ...env });
}

export interface Rig {
  guards: Guards;
  clock: ManualClock;
  events: EventLog;
  registry: Registry;
  config: Config;
}

/**
 * Guards over an injected clock. The clock starts at the machine's time because
 * altcha-lib checks a challenge's expiry against the real clock too; the test
 * then moves only the injected one.
 */
export async function rig(options: { env?: Record<string, string>; redis?: Redis; db?: Kysely<Database>; clock?: ManualClock; logger?: Logger; seed?: number; prefix?: string } = {}): Promise<Rig> {
  const clock = options.clock ?? new ManualClock(Date.now());
  const events = new EventLog();
  const registry = new Registry();
  const config = testConfig(options.env);
  const guards = await createGuards({
    config,
    clock,
    random: new SeededRandom(options.seed ?? 7),
    logger: options.logger ?? silentLogger(),
    events,
    metrics: registry,
    stores: guardStores({
      ...(options.db === undefined ? {} : { stores: createStores(options.db, { clock, random: new SeededRandom(options.seed ?? 7) }) }),
      ...(options.redis === undefined ? {} : { redis: options.redis }),
      ...(options.prefix === undefined ? {} : { redisPrefix: options.prefix }),
    }),
    ...(options.redis === undefined ? {} : { redis: options.redis }),
    ...(options.prefix === undefined ? {} : { redisPrefix: options.prefix }),
  });
  return { guards, clock, events, registry, config };
}

/** Solves a challenge the way the widget does, and encodes it for the `pow` field. */
export async function solve(challenge: unknown): Promise<string> {
  const c = challenge as Challenge;
  const solution = await solveChallenge({ challenge: c, deriveKey, timeout: 60_000 });
  if (solution === null) throw new Error('could not solve');
  return Buffer.from(JSON.stringify({ challenge: c, solution })).toString('base64');
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const data = await metric.get();
  const match = data.values.find((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val));
  return match?.value ?? 0;
}
