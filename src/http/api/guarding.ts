import type { HushError } from '../../kernel/errors.js';

/**
 * What the HTTP layer needs of the guards (src/guard implements it). A guard
 * decides from the request, never from whether the account exists.
 */
export type GuardedAction = 'recovery' | 'signup' | 'magic-link' | 'login' | 'confirm';

export interface GuardInput {
  action: GuardedAction;
  address: string;
  identifier: string | null;
  fields: Readonly<Record<string, unknown>>;
}

export type Verdict =
  | { kind: 'pass' }
  | { kind: 'silent'; guard: string }
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'reject'; error: HushError };

export interface FlowGuards {
  check(input: GuardInput): Promise<Verdict>;
  loginFailed(address: string, identifier: string): Promise<void>;
  loginSucceeded(address: string, identifier: string): Promise<void>;
}
