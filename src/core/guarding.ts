/**
 * The guards port: what the guarded-flow runner (guarded-flow.ts) needs of
 * the defenses that run before a flow. src/guard implements it. A guard
 * decides from the request, never from whether the account exists.
 */
import type { HushError } from '../kernel/errors.js';

/** What a guarded flow asks the guards about: the four flows that name an identifier, and every token flow (`confirm`). */
export type GuardedAction = 'recovery' | 'signup' | 'magic-link' | 'login' | 'confirm';
export const GUARDED_ACTIONS: readonly GuardedAction[] = ['recovery', 'signup', 'magic-link', 'login', 'confirm'];

/** The guard behind a silent verdict (recorded on its event and metric, never shown). */
export type SilentGuard = 'rate_limit' | 'honeypot' | 'blocked';

export interface GuardInput {
  action: GuardedAction;
  /** The client address (the socket, or a trusted proxy's header): limits fold IPv6 to its /64. */
  address: string;
  /** Normalized identifier, or null where the flow names none (confirm). */
  identifier: string | null;
  /** The parsed body: the honeypot field and `pow` are read from it. */
  fields: Readonly<Record<string, unknown>>;
  /** For the events only. */
  userAgent?: string;
}

/**
 * - `pass`: run the flow.
 * - `silent`: the flow's normal reply, its effects dropped; the guard has recorded its event.
 * - `throttle` (`login`, `confirm`): a 429 with `Retry-After`, the same for every identifier.
 * - `reject`: `error` (a missing or bad proof-of-work, which depends only on the request).
 */
export type Verdict =
  | { kind: 'pass' }
  | { kind: 'silent'; guard: SilentGuard }
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'reject'; error: HushError };

export interface FlowGuards {
  check(input: GuardInput): Promise<Verdict>;
  /** After a failed password check (known or unknown identifier alike). */
  loginFailed(address: string, identifier: string): Promise<void>;
  /** After a successful login: clears that account's failures from that address. */
  loginSucceeded(address: string, identifier: string): Promise<void>;
}
