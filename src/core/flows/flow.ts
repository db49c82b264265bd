import type { FlowGuards, GuardedAction } from '../guarding.js';
import type { FlowDeps, Outcome, RequestMeta } from './context.js';
import type { Reply } from './reply.js';

export type FlowName =
  | 'signup'
  | 'verify'
  | 'login'
  | 'logout'
  | 'recovery.request'
  | 'recovery.confirm'
  | 'magic.request'
  | 'magic.confirm'
  | 'password.change'
  | 'login.second_factor'
  | 'disown.confirm';

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

/**
 * How a flow is guarded, declared next to the flow: which guard action it
 * asks about, the identifier the guards count by, the reply a silent verdict
 * sends (the flow's normal reply, so silent looks like pass), and the
 * bookkeeping after it ran. The guarded-flow runner (core/guarded-flow.ts)
 * reads nothing else.
 */
export interface FlowGuarding<I> {
  readonly action: GuardedAction;
  /** The normalized identifier the limits count by, or null (token flows name none). */
  identifier(input: I): string | null;
  readonly silentReply: Reply;
  /** After the flow ran under a pass (login: count the failure, or clear it). Never reads whether the account exists. */
  after?(guards: FlowGuards, outcome: Outcome, input: I, meta: RequestMeta): Promise<void>;
}

/** A flow that runs behind the guards: every flow that takes an identifier or a token. */
export interface GuardedFlow<I> extends Flow<I> {
  readonly guard: FlowGuarding<I>;
}
