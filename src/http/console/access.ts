import type { Context } from 'hono';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/log.js';
import type { AccountEvent, EventSink } from '../../core/event.js';
import type { SessionRepository, Sessions } from '../../core/session.js';
import type { SessionCookie } from '../cookies.js';
import type { RequestClient } from '../client.js';

/**
 * Who may enter the security console, decided in one place: a live session
 * (the hosted pages' cookie) of an identity with the operator role, signed in
 * at most FRESH_SIGN_IN_MS ago. Anything else is answered with the app's own
 * 404, so the console's existence is not shown to anyone else.
 *
 * When TOTP exists (issue 17) its requirement goes in `admits` below: a
 * session that has not passed the second factor is refused like any other,
 * and the 12-hour freshness rule can relax to the session's own lifetime.
 */
export const FRESH_SIGN_IN_MS = 12 * 60 * 60_000;

export interface Operator {
  identityId: string;
  email: string;
  /** When this session signed in. */
  signedInAt: Date;
}

export interface ConsoleAccessDeps {
  sessions: Sessions;
  sessionStore: SessionRepository;
  cookie: SessionCookie;
  isOperator: (identityId: string) => Promise<boolean>;
  clock: Clock;
}

/** The operator behind this request, or null (no session, not an operator, or a sign-in older than 12 hours). */
export async function operatorOf(c: Context, deps: ConsoleAccessDeps): Promise<Operator | null> {
  const token = deps.cookie.read(c);
  if (token === null) return null;
  const found = await deps.sessions.validate(deps.sessionStore, token);
  if (found === null) return null;
  if (!admits(found.session.createdAt, deps.clock.now())) return null;
  if (!(await deps.isOperator(found.identity.id))) return null;
  return { identityId: found.identity.id, email: found.identity.email, signedInAt: found.session.createdAt };
}

/** The session's own conditions for the console. The TOTP check joins here. */
function admits(signedInAt: Date, now: number): boolean {
  return now - signedInAt.getTime() <= FRESH_SIGN_IN_MS;
}

/** Every console action is an event (`hush.console.*`) with the operator's id, through the outbox like every other event. */
export interface ConsoleAudit {
  record(c: Context, operator: Operator, action: string, attrs: Record<string, string | number | boolean>): Promise<void>;
}

export function consoleAudit(deps: { events: EventSink; clock: Clock; client: RequestClient; logger: Logger }): ConsoleAudit {
  return {
    async record(c, operator, action, attrs): Promise<void> {
      const ua = c.req.header('user-agent');
      const event: AccountEvent = {
        name: `hush.console.${action}`,
        at: deps.clock.now(),
        'usr.id': operator.identityId,
        'network.client.ip': deps.client.address(c),
        ...(ua === undefined ? {} : { 'http.useragent': ua.slice(0, 512) }),
        source: 'hush',
        attrs,
      };
      // The action stands only with its record: a failure here fails the request (500) rather than act unrecorded.
      await deps.events.record(event);
      deps.logger.info({ operator: operator.identityId, action: event.name }, 'console action');
    },
  };
}
