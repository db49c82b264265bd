/**
 * The stores the guards need, declared here by their consumer; store/
 * implements them (memory, the database, Redis) and the composition root
 * (src/hush.ts) picks which. The rate limits keep their own counters through
 * rate-limiter-flexible, on the Redis client they are handed.
 */

/** One block: an address or CIDR range with an expiry, added by the CLI, the admin API or a detection response. */
export interface BlockRecord {
  id: string;
  /** An address or a CIDR range, normalized (`203.0.113.7/32`, `2001:db8::/64`). */
  cidr: string;
  reason: string;
  /** Who added it: `cli`, `admin`, `detection:RULE`, … */
  source: string;
  createdAt: number;
  expiresAt: number;
}

/** The durable, shared copy of the block list; the guards read it through a cache (block-list.ts). */
export interface BlockStore {
  add(block: BlockRecord): Promise<void>;
  /** Entries still in force at `now`, oldest first. */
  active(now: number): Promise<BlockRecord[]>;
  /** True when an entry was removed. */
  remove(id: string): Promise<boolean>;
  /** Deletes entries that expired before `now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
}

/**
 * Single spend of proof-of-work solutions. ALTCHA leaves replay to the app, and
 * a check-then-set is a race: each implementation spends in one atomic step
 * (Redis `SET NX`, a primary-key insert, a synchronous map update), so of any
 * number of concurrent submissions of one solution exactly one is accepted.
 */
export interface PowReplayStore {
  /** Marks `id` spent until `expiresAt` (ms since the epoch). True for the first spend only. */
  spend(id: string, expiresAt: number, now: number): Promise<boolean>;
}

/** A replay store shared across instances over a connection that can drop (Redis): the guards fall back while it is not ready. */
export interface SharedPowReplayStore extends PowReplayStore {
  /** True when the connection can take commands now; callers fall back instead of queueing behind an outage. */
  readonly ready: boolean;
}

/** What `createGuards` is handed: the block list's store, and where spent solutions are kept. */
export interface GuardStores {
  blocks: BlockStore;
  /** This instance's replay store: the database when there is one, else memory; the fallback while `sharedSpentPow` is down. */
  spentPow: PowReplayStore;
  /** Shared across instances (Redis); absent with one instance. */
  sharedSpentPow?: SharedPowReplayStore;
}
