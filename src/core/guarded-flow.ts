/**
 * The guarded-flow runner: the one path every guarded flow takes, for the
 * JSON API, the hosted pages and library users alike.
 *
 *     runGuarded(deps, flows.recoveryRequest, fields, { ip, userAgent })
 *
 * Inside the envelope (its clock starts when this is called: read the body
 * first), in this order: the flow parses the fields (validation that
 * depends only on them), the guards give their verdict, and the flow runs
 * only on a pass. A silent verdict answers the flow's own silent reply, so it
 * looks like a pass; a throttle is the same 429 for every identifier; a
 * reject is the guard's error. Whatever the path, the reply is released at
 * the flow's floor. Expected errors become their public reply and anything
 * else a plain 500 (logged, redacted): never a stack trace.
 */
import { HushError } from '../kernel/errors.js';
import type { Logger } from '../kernel/log.js';
import type { Envelope } from './envelope.js';
import type { FlowGuards } from './guarding.js';
import { changePassword, logout, parsePasswordChange } from './flows/account.js';
import type { FlowDeps, Outcome, RequestMeta } from './flows/context.js';
import type { GuardedFlow } from './flows/flow.js';
import type { Reply } from './flows/reply.js';

/** What the runner needs: the flows' dependencies, the envelope, the guards and where a failure is logged. */
export interface GuardedDeps {
  flows: FlowDeps;
  envelope: Envelope;
  guards: FlowGuards;
  logger: Logger;
}

/** An Outcome, plus the seconds a throttled client should wait (the `Retry-After` header). */
export interface GuardedOutcome extends Outcome {
  retryAfterSeconds?: number;
}

/** The reply for an expected error: its status and the fixed JSON of the error registry. */
export function errorReply(err: HushError): Reply {
  return { status: err.status, body: err.toJSON() };
}

/** The same 429 for every identifier; only Retry-After varies, with the limiter's own clock. */
export const THROTTLED: Reply = errorReply(new HushError('HUSH_RATE_LIMITED'));
/** No session, or one that has ended. */
export const UNAUTHORIZED: Reply = errorReply(new HushError('HUSH_UNAUTHORIZED'));
const INTERNAL: Reply = errorReply(new HushError('HUSH_INTERNAL'));

/**
 * Turns whatever a flow's work ended with into an Outcome: expected errors
 * become their public reply, anything else is logged (redacted) and becomes
 * a plain 500.
 */
export async function settle(work: () => Promise<Outcome>, logger: Logger, flow: string): Promise<Outcome> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof HushError) return { reply: errorReply(err) };
    logger.error({ err, flow }, 'flow failed');
    return { reply: INTERNAL };
  }
}

/** Runs one guarded flow for one request (see the top of this file). `fields` is the parsed body. */
export async function runGuarded<I>(deps: GuardedDeps, flow: GuardedFlow<I>, fields: Readonly<Record<string, unknown>>, meta: RequestMeta): Promise<GuardedOutcome> {
  let retryAfterSeconds: number | undefined;
  // Only a run in which the flow did its work teaches the floor: refusals and silent verdicts are cheap by design.
  let ranFlow = false;
  const outcome = await deps.envelope.run(flow.name, () =>
    settle(
      async (): Promise<Outcome> => {
        const input = flow.parse(fields, deps.flows);
        const identifier = flow.guard.identifier(input);
        const verdict = await deps.guards.check({
          action: flow.guard.action,
          address: meta.ip,
          identifier,
          fields,
          ...(meta.userAgent === null ? {} : { userAgent: meta.userAgent }),
        });
        if (verdict.kind === 'reject') throw verdict.error;
        if (verdict.kind === 'throttle') {
          retryAfterSeconds = verdict.retryAfterSeconds;
          return { reply: THROTTLED };
        }
        if (verdict.kind === 'silent') return { reply: flow.guard.silentReply };
        const out = await flow.run(deps.flows, input, meta);
        await flow.guard.after?.(deps.guards, out, input, meta);
        ranFlow = true;
        return out;
      },
      deps.logger,
      flow.name,
    ),
    { learn: () => ranFlow },
  );
  return retryAfterSeconds === undefined ? outcome : { ...outcome, retryAfterSeconds };
}

/**
 * `password.change` for the session behind `sessionToken`, in the envelope:
 * no session (or an ended one) answers 401 after the same validation.
 */
export function runPasswordChange(deps: Omit<GuardedDeps, 'guards'>, fields: Readonly<Record<string, unknown>>, sessionToken: string | null, meta: RequestMeta): Promise<Outcome> {
  const { flows } = deps;
  let changed = false;
  return deps.envelope.run('password.change', () =>
    settle(
      async (): Promise<Outcome> => {
        const input = parsePasswordChange(fields, flows);
        const found = sessionToken === null ? null : await flows.sessions.validate(flows.store.sessions, sessionToken);
        if (found === null || sessionToken === null) return { reply: UNAUTHORIZED };
        const out = await changePassword(flows, { ...input, identity: found.identity, sessionToken, sessionCreatedAt: found.session.createdAt }, meta);
        changed = true;
        return out;
      },
      deps.logger,
      'password.change',
    ),
    { learn: () => changed },
  );
}

/** `logout`: revokes the session behind `sessionToken`, if any; always the same reply, and it clears the cookie. */
export function runLogout(deps: Pick<GuardedDeps, 'flows' | 'logger'>, sessionToken: string | null, meta: RequestMeta): Promise<Outcome> {
  return settle(() => logout(deps.flows, sessionToken, meta), deps.logger, 'logout');
}
