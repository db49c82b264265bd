import type { Clock } from '../kernel/clock.js';
import type { Random } from '../kernel/random.js';
import { toBase64Url } from '../kernel/random.js';
import type { Identity } from './identity.js';
import { hashToken } from './token.js';

export interface SessionRecord {
  hash: string;
  identityId: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  absoluteExpiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/** What sessions need of the store. */
export interface SessionRepository {
  insert(session: SessionRecord): Promise<void>;
  /** The session and its identity, if the session exists and is alive at `now`. */
  findAlive(hash: string, now: Date): Promise<{ session: SessionRecord; identity: Identity } | null>;
  touch(hash: string, lastSeenAt: Date, expiresAt: Date): Promise<void>;
  delete(hash: string): Promise<void>;
  /** Revokes every session of an identity, but the one named by `exceptHash`. */
  deleteAllFor(identityId: string, exceptHash?: string): Promise<number>;
  pruneExpired(now: Date): Promise<number>;
  /** The identity's live sessions at `now`, newest use first. */
  listFor(identityId: string, now: Date): Promise<SessionRecord[]>;
}

export interface SessionPolicy {
  /** Idle lifetime, refreshed while the session is used. */
  idleMs: number;
  /** Absolute lifetime. */
  maxAgeMs: number;
}

/**
 * Opaque sessions: a random token in an HttpOnly cookie, stored as SHA-256,
 * with a sliding idle expiry capped by an absolute one.
 */
export class Sessions {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly policy: SessionPolicy;

  constructor(deps: { clock: Clock; random: Random; policy: SessionPolicy }) {
    this.#clock = deps.clock;
    this.#random = deps.random;
    this.policy = deps.policy;
  }

  async create(repo: SessionRepository, identityId: string, meta: { ip: string | null; userAgent: string | null }): Promise<{ token: string; expiresAt: Date }> {
    const token = toBase64Url(this.#random.bytes(32));
    const now = this.#clock.now();
    const absolute = now + this.policy.maxAgeMs;
    const expiresAt = new Date(Math.min(now + this.policy.idleMs, absolute));
    await repo.insert({
      hash: hashToken(token),
      identityId,
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
      expiresAt,
      absoluteExpiresAt: new Date(absolute),
      ip: meta.ip,
      userAgent: meta.userAgent === null ? null : meta.userAgent.slice(0, 512),
    });
    return { token, expiresAt };
  }

  /**
   * The live session behind a cookie value, refreshed when more than a tenth
   * of its idle lifetime has passed (so a busy session does not write on every request).
   */
  async validate(repo: SessionRepository, token: string): Promise<{ session: SessionRecord; identity: Identity } | null> {
    if (token.length === 0 || token.length > 128) return null;
    const now = this.#clock.now();
    const found = await repo.findAlive(hashToken(token), new Date(now));
    if (found === null) return null;
    if (now - found.session.lastSeenAt.getTime() > this.policy.idleMs / 10) {
      const expiresAt = new Date(Math.min(now + this.policy.idleMs, found.session.absoluteExpiresAt.getTime()));
      await repo.touch(found.session.hash, new Date(now), expiresAt);
      found.session = { ...found.session, lastSeenAt: new Date(now), expiresAt };
    }
    return found;
  }

  revoke(repo: SessionRepository, token: string): Promise<void> {
    return repo.delete(hashToken(token));
  }

  revokeAll(repo: SessionRepository, identityId: string, exceptToken?: string): Promise<number> {
    return repo.deleteAllFor(identityId, exceptToken === undefined ? undefined : hashToken(exceptToken));
  }
}
