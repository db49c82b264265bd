import type { FlowDeps, Outcome, RequestMeta } from './context.js';

export type FlowName =
  | 'signup'
  | 'verify'
  | 'login'
  | 'logout'
  | 'recovery.request'
  | 'recovery.confirm'
  | 'magic.request'
  | 'magic.confirm'
  | 'password.change';

/**
 * One account operation. `parse` validates the input from the input alone
 * (it throws a validation error naming the field) and runs inside the
 * envelope, before any lookup; `run` does the work and returns the Outcome.
 */
export interface Flow<I> {
  readonly name: FlowName;
  parse(input: Readonly<Record<string, unknown>>, deps: FlowDeps): I;
  run(deps: FlowDeps, input: I, meta: RequestMeta): Promise<Outcome>;
}
