import { openDatabase, openMemoryDatabase } from '../../src/store/database.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { MemoryPowReplay, RedisPowReplay } from '../../src/store/pow-replay.js';
import type { PowReplayStore } from '../../src/guard/stores.js';
import { MemoryState } from '../../src/detect/memory-state.js';
import { RedisState } from '../../src/detect/redis-state.js';
import type { DetectionState } from '../../src/detect/state.js';
import { postgresTier, redisTier } from './env.js';
import type { ServiceTier } from './env.js';
import { freshPostgres } from './postgres.js';
import { testRedis } from './redis.js';

/**
 * The one list of what the conformance suites run on (design.md §3, §6), in
 * the manner of Kysely's dialect list: every database the store implements its
 * ports on, and every state store guard and detection keep shared state in.
 * PGlite and memory always run; PostgreSQL and Redis when their URL is set
 * (and must, under HUSH_TEST_REQUIRE_ALL=1: the tier throws then instead of
 * skipping). The lists are functions, so that a file importing only
 * `testDatabase` reads no environment.
 */
export interface Target<Name extends string, Opened> {
  name: Name;
  /** True when this target must be skipped; why is in `reason`. */
  skip: boolean;
  reason: string;
  /** The name, and when skipped why: what a suite's title carries. */
  label: string;
  /** The target, ready (migrated, empty of other tests' data); its `close()` is the cleanup. */
  open(): Promise<Opened>;
}

export interface DatabaseOptions {
  /** Largest number of PostgreSQL connections (PGlite has one). */
  poolSize?: number;
}

export interface DatabaseTarget extends Target<'PGlite' | 'PostgreSQL', DatabaseHandle> {
  open(options?: DatabaseOptions): Promise<DatabaseHandle>;
}

/** Where guard and detection keep shared, short-lived state: each port's implementation on it. */
export interface StateStore {
  /** A detection state of its own: each call starts from no keys. */
  detectionState(): DetectionState;
  powReplay(): PowReplayStore;
  close(): Promise<void>;
}

export type StateTarget = Target<'memory' | 'Redis', StateStore>;

/** One port's implementation, built on what a target opens; `close()` is the target's cleanup. */
export interface OpenStore<S> {
  store: S;
  close: () => Promise<void>;
}

/** `target`, opening the store `make` builds on it: a suite over one port, on every target that has it. */
export function storeOn<O extends { close(): Promise<void> }, S>(target: Target<string, O>, make: (opened: O) => S): Target<string, OpenStore<S>> {
  return {
    ...target,
    open: async () => {
      const opened = await target.open();
      return { store: make(opened), close: () => opened.close() };
    },
  };
}

/** An in-memory PGlite, migrated: the throwaway database of tests that are not about the database. */
export async function testDatabase(): Promise<DatabaseHandle> {
  const handle = await openMemoryDatabase();
  await migrate(handle.db);
  return handle;
}

/** A fresh database on the PostgreSQL server at `serverUrl`, migrated; `close()` drops it. */
export async function testPostgres(serverUrl: string, options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  const fresh = await freshPostgres(serverUrl);
  const handle = await openDatabase({ databaseUrl: fresh.url, dataDir: '/nonexistent', ...options });
  await migrate(handle.db);
  return {
    ...handle,
    async close(): Promise<void> {
      await handle.close();
      await fresh.drop();
    },
  };
}

export function databaseTargets(): DatabaseTarget[] {
  const postgres = postgresTier();
  return [
    { ...always('PGlite'), open: () => testDatabase() },
    { ...onTier('PostgreSQL', postgres), open: (options?: DatabaseOptions) => testPostgres(url(postgres), options) },
  ];
}

export function stateTargets(): StateTarget[] {
  const redis = redisTier();
  return [
    {
      ...always('memory'),
      open: () =>
        Promise.resolve({
          detectionState: () => new MemoryState(),
          powReplay: () => new MemoryPowReplay(),
          close: () => Promise.resolve(),
        }),
    },
    {
      ...onTier('Redis', redis),
      open: async () => {
        const shared = await testRedis(url(redis));
        let next = 0;
        const prefix = (): string => `${shared.prefix}${next++}:`;
        return {
          // On the one client, as hush.ts hands guard and detection the same Redis.
          detectionState: () => new RedisState({ redis: shared.redis, prefix: prefix() }),
          powReplay: () => new RedisPowReplay(shared.redis, prefix()),
          close: () => shared.close(),
        };
      },
    },
  ];
}

function always<Name extends string>(name: Name): { name: Name; skip: false; reason: ''; label: Name } {
  return { name, skip: false, reason: '', label: name };
}

function onTier<Name extends string>(name: Name, tier: ServiceTier): { name: Name; skip: boolean; reason: string; label: string } {
  return { name, skip: tier.skip, reason: tier.reason, label: tier.skip ? `${name} (skipped: ${tier.reason})` : name };
}

/** The tier's URL; open() is only called on a target that is not skipped. */
function url(tier: ServiceTier): string {
  if (tier.url === undefined) throw new Error(`opened a skipped target: ${tier.reason}`);
  return tier.url;
}
