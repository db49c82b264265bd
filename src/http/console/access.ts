import type { Context } from 'hono';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/log.js';
import type { AccountEvent, EventSink } from '../../core/event.js';
import type { SessionRepository, Sessions } from '../../core/session.js';
import type { SessionCookie } from '../cookies.js';
import type { RequestClient } from '../client.js';

/**
 * Who may enter the security console, decided in one place: a live session
 * (the hosted pages' cookie) of an identity with the operator role and TOTP
 * in force, opened after TOTP was turned on (so it passed the second factor:
 * every way of signing in to an account with TOTP asks for a code) and at
 * most FRESH_SIGN_IN_MS ago. Anything else is answered with the app's own
 * 404, so the console's existence is not shown to anyone else.
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
  /** Null for an identity without the operator role; else when its TOTP was turned on (null: not in force). */
  operatorFactor: (identityId: string) => Promise<{ totpEnabledAt: Date | null } | null>;
  clock: Clock;
}

/** The operator behind this request, or null (no session, not an operator, or a sign-in older than 12 hours). */
export async function operatorOf(c: Context, deps: ConsoleAccessDeps): Promise<Operator | null> {
  const token = deps.cookie.read(c);
  if (token === null) return null;
  const found = await deps.sessions.validate(deps.sessionStore, token);
  if (found === null) return null;
  const factor = await deps.operatorFactor(found.identity.id);
  if (factor === null || !admits(found.session.createdAt, factor.totpEnabledAt, deps.clock.now())) return null;
  return { identityId: found.identity.id, email: found.identity.email, signedInAt: found.session.createdAt };
}

/**
 * The session's own conditions for the console: TOTP in force, the session opened since it was turned on (one
 * opened before never passed a second factor), and a sign-in at most 12 hours old.
 */
function admits(signedInAt: Date, totpEnabledAt: Date | null, now: number): boolean {
  if (totpEnabledAt === null || signedInAt.getTime() < totpEnabledAt.getTime()) return false;
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
