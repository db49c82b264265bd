import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { AccountStore, Repositories } from '../core/repositories.js';
import type { Clock } from '../kernel/clock.js';
import type { Random } from '../kernel/random.js';
import { KyselyIdentityRepository } from './identities.js';
import { KyselyTokenRepository } from './tokens.js';
import { KyselySessionRepository } from './sessions.js';
import { OutboxRepository } from './outbox.js';
import { KyselySecondFactorRepository } from './second-factor.js';

function repositories(db: Kysely<Database> | Transaction<Database>, clock: Clock, random: Random): Repositories {
  return {
    identities: new KyselyIdentityRepository(db),
    tokens: new KyselyTokenRepository(db),
    sessions: new KyselySessionRepository(db),
    outbox: new OutboxRepository(db, clock, random),
    secondFactors: new KyselySecondFactorRepository(db),
  };
}

/** The account store over Kysely: PGlite or PostgreSQL, one implementation. */
export class KyselyAccountStore implements AccountStore {
  readonly identities;
  readonly tokens;
  readonly sessions;
  readonly outbox;
  readonly secondFactors;
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #random: Random;
  /** Called after a transaction that wrote outbox rows has committed (the worker wakes). */
  readonly #onCommit: () => void;

  constructor(db: Kysely<Database>, deps: { clock: Clock; random: Random; onCommit?: () => void }) {
    this.#db = db;
    this.#clock = deps.clock;
    this.#random = deps.random;
    this.#onCommit = deps.onCommit ?? ((): void => undefined);
    const r = repositories(db, deps.clock, deps.random);
    this.identities = r.identities;
    this.tokens = r.tokens;
    this.sessions = r.sessions;
    this.outbox = r.outbox;
    this.secondFactors = r.secondFactors;
  }

  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    const result = await this.#db.transaction().execute((tx) => work(repositories(tx, this.#clock, this.#random)));
    this.#onCommit();
    return result;
  }
}
