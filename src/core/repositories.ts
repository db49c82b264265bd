import type { IdentityRepository } from './identity.js';
import type { TokenRepository } from './token.js';
import type { SessionRepository } from './session.js';
import type { OutboxWriter } from './outbox.js';
import type { SecondFactorRepository } from './second-factor.js';

/** The repositories a flow uses, bound to one connection or transaction. */
export interface Repositories {
  identities: IdentityRepository;
  tokens: TokenRepository;
  sessions: SessionRepository;
  outbox: OutboxWriter;
  /** TOTP, recovery codes, second steps, known devices. */
  secondFactors: SecondFactorRepository;
}

/**
 * The account store: repositories, and transactions over them. A flow's state
 * change and the outbox rows it causes are written in one transaction.
 */
export interface AccountStore extends Repositories {
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
}
