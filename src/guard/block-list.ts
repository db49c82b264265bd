import { BlockList as NetBlockList, isIP } from 'node:net';
import type { Clock } from '../kernel/clock.js';
import { parseDuration } from '../kernel/duration.js';
import type { Random } from '../kernel/random.js';
import { randomId } from '../kernel/random.js';
import type { Logger } from '../kernel/log.js';
import type { BlockRecord, BlockStore } from './stores.js';
import { networkAddress, normalizeIp } from './address.js';
import type { GuardMetrics } from './metrics.js';

/**
 * The block list as guards see it: the `blocks` table, cached in memory and
 * compiled into a `net.BlockList`, so a lookup costs microseconds and no query.
 * The cache refreshes from the store when older than `refreshMs` (in the
 * background: a lookup never waits for the database) and is rebuilt as soon
 * as an entry expires. Entries added through this instance apply at once;
 * entries added elsewhere (the CLI, another instance) within `refreshMs`.
 */

/** Normalizes an address or range to its network: a bare IPv4 address becomes /32, a bare IPv6 address its /64. */
export function normalizeCidr(input: string): string | null {
  const [addr = '', bits, extra] = input.trim().split('/');
  if (extra !== undefined) return null;
  const ip = normalizeIp(addr);
  if (ip === null) return null;
  const max = isIP(ip) === 4 ? 32 : 128;
  if (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max)) return null;
  const prefix = bits === undefined ? (max === 32 ? 32 : 64) : Number(bits);
  return `${networkAddress(ip, prefix)}/${prefix}`;
}

/** The longest block: a year. Longer is a firewall rule, not a guard. */
export const MAX_BLOCK_MS = 365 * 86_400_000;

/** `--for 1h`, `"for": "30m"`: a duration with its unit (a bare number is refused: 3600 would read as ms), 1 s to 365 d. */
export function parseBlockDuration(text: string): number | null {
  if (!/^\s*\d+(\.\d+)?\s*(s|m|h|d)\s*$/.test(text)) return null;
  const ms = parseDuration(text);
  return ms === null || ms < 1000 || ms > MAX_BLOCK_MS ? null : ms;
}

export interface BlockListOptions {
  store: BlockStore;
  clock: Clock;
  random: Random;
  logger: Logger;
  metrics: GuardMetrics;
  /** How stale the cache may get before it is reloaded. Default 5 s. */
  refreshMs?: number;
}

export class BlockList {
  readonly #store: BlockStore;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #logger: Logger;
  readonly #metrics: GuardMetrics;
  readonly #refreshMs: number;
  #entries: BlockRecord[] = [];
  #compiled = new NetBlockList();
  #nextExpiry = Infinity;
  #loadedAt = -Infinity;
  #loading: Promise<void> | null = null;

  constructor(options: BlockListOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#refreshMs = options.refreshMs ?? 5000;
  }

  /** Reloads the cache from the store now (single flight). */
  refresh(): Promise<void> {
    this.#loading ??= (async (): Promise<void> => {
      try {
        const now = this.#clock.now();
        this.#install(await this.#store.active(now));
        this.#loadedAt = now;
      } finally {
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  #install(entries: BlockRecord[]): void {
    const now = this.#clock.now();
    const live = entries.filter((e) => e.expiresAt > now);
    const compiled = new NetBlockList();
    for (const e of live) {
      const [ip = '', bits = '32'] = e.cidr.split('/');
      compiled.addSubnet(ip, Number(bits), isIP(ip) === 4 ? 'ipv4' : 'ipv6');
    }
    this.#entries = live;
    this.#compiled = compiled;
    this.#nextExpiry = live.reduce((m, e) => Math.min(m, e.expiresAt), Infinity);
    this.#metrics.blocks.set(live.length);
  }

  /** True when `address` is in a range that is in force. */
  blocked(address: string): boolean {
    const now = this.#clock.now();
    if (now >= this.#nextExpiry) this.#install(this.#entries);
    if (now - this.#loadedAt > this.#refreshMs && this.#loading === null) {
      this.refresh().catch((err: unknown) => this.#logger.error({ err }, 'block list refresh failed; keeping the cached list'));
    }
    const ip = normalizeIp(address);
    if (ip === null) return false;
    return this.#compiled.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
  }

  /** Adds an address or range for `durationMs`. Throws on a value that is not an address or range. */
  async add(input: { cidr: string; durationMs: number; reason: string; source: string }): Promise<BlockRecord> {
    const cidr = normalizeCidr(input.cidr);
    if (cidr === null) throw new TypeError('not an IP address or CIDR range');
    if (!(input.durationMs > 0)) throw new TypeError('the duration must be positive');
    const now = this.#clock.now();
    const record: BlockRecord = { id: randomId(this.#random), cidr, reason: input.reason, source: input.source, createdAt: now, expiresAt: now + input.durationMs };
    await this.#store.add(record);
    this.#install([...this.#entries, record]);
    this.#logger.info({ block: { id: record.id, cidr, source: record.source, expiresAt: record.expiresAt } }, 'address range blocked');
    return record;
  }

  async remove(id: string): Promise<boolean> {
    const removed = await this.#store.remove(id);
    this.#install(this.#entries.filter((e) => e.id !== id));
    return removed;
  }

  /** Entries in force, as this instance knows them after a refresh. */
  async list(): Promise<BlockRecord[]> {
    await this.refresh();
    return this.#entries.map((e) => ({ ...e }));
  }
}
