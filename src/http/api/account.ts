import type { IncomingMessage } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { HushError } from '../../kernel/errors.js';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/log.js';
import type { Envelope } from '../../core/envelope.js';
import { maskEmail } from '../../core/identifier.js';
import {
  BAD_TOKEN, LOGIN_FAILED, LOGIN_OK, MAGIC_ACCEPTED, RECOVERY_ACCEPTED, SIGNUP_ACCEPTED,
  changePassword, login, logout, magicConfirm, magicRequest, parsePasswordChange, recoveryConfirm, recoveryRequest, signup, verify,
} from '../../core/flows/index.js';
import type { Flow, FlowDeps, Outcome, Reply, RequestMeta } from '../../core/flows/index.js';
import { readBody } from '../body.js';
import type { Fields } from '../body.js';
import type { SessionCookie } from '../cookies.js';
import { errorReply, send, settle } from '../respond.js';
import type { FlowGuards, GuardedAction } from './guarding.js';

export interface AccountApiDeps {
  flows: FlowDeps;
  envelope: Envelope;
  guards: FlowGuards;
  cookie: SessionCookie;
  clock: Clock;
  logger: Logger;
  /** The client address a request counts against (socket, or a trusted proxy's header). */
  clientAddress: (c: Context) => string;
}

/** The same 429 for every identifier; only Retry-After varies, with the limiter's own clock. */
const THROTTLED: Reply = errorReply(new HushError('HUSH_RATE_LIMITED'));
const UNAUTHORIZED: Reply = errorReply(new HushError('HUSH_UNAUTHORIZED'));

interface IdentifierEndpoint<I extends { email: string }> {
  path: string;
  action: Exclude<GuardedAction, 'confirm'>;
  flow: Flow<I>;
  /** What a silent verdict answers: the flow's normal reply. */
  silentReply: Reply;
}

interface TokenEndpoint<I> {
  path: string;
  flow: Flow<I>;
}

/**
 * The JSON API of the account flows (docs/api.md). Every endpoint that takes
 * an identifier or a token runs in the envelope: the body is read, then the
 * clock starts; validation, guards and the flow run inside; the reply is held
 * to the flow's floor whatever path it took.
 */
export function accountApi(deps: AccountApiDeps): Hono {
  const app = new Hono();

  const meta = (c: Context): RequestMeta => ({ ip: deps.clientAddress(c), userAgent: c.req.header('user-agent') ?? null });

  /**
   * The envelope around one guarded flow: the clock starts now (the body is
   * read), then validation, the guard's verdict and the flow run inside it.
   */
  const guarded = async <I>(
    c: Context,
    fields: Fields,
    flow: Flow<I>,
    action: GuardedAction,
    identifierOf: (input: I) => string | null,
    silentReply: Reply,
  ): Promise<Response> => {
    const m = meta(c);
    let retryAfter: number | null = null;
    const outcome = await deps.envelope.run(flow.name, () =>
      settle(
        async (): Promise<Outcome> => {
          const input = flow.parse(fields, deps.flows);
          const identifier = identifierOf(input);
          const verdict = await deps.guards.check({ action, address: m.ip, identifier, fields });
          if (verdict.kind === 'reject') throw verdict.error;
          if (verdict.kind === 'throttle') {
            retryAfter = verdict.retryAfterSeconds;
            return { reply: THROTTLED };
          }
          if (verdict.kind === 'silent') return { reply: silentReply };
          const out = await flow.run(deps.flows, input, m);
          if (action === 'login' && identifier !== null) {
            if (out.reply === LOGIN_FAILED) await deps.guards.loginFailed(m.ip, identifier);
            else if (out.reply === LOGIN_OK) await deps.guards.loginSucceeded(m.ip, identifier);
          }
          return out;
        },
        deps.logger,
        flow.name,
      ),
    );
    return send(c, outcome, deps.cookie, retryAfter === null ? {} : { 'Retry-After': String(retryAfter) });
  };

  const identifierEndpoint = <I extends { email: string }>(e: IdentifierEndpoint<I>): void => {
    app.post(e.path, async (c) => {
      const fields = await bodyOrReply(c);
      return fields instanceof Response ? fields : guarded(c, fields, e.flow, e.action, (input) => input.email, e.silentReply);
    });
  };

  // A silent verdict on a token endpoint (a blocked address) answers like a bad token.
  const tokenEndpoint = <I>(e: TokenEndpoint<I>): void => {
    app.post(e.path, async (c) => {
      const fields = await bodyOrReply(c);
      return fields instanceof Response ? fields : guarded(c, fields, e.flow, 'confirm', () => null, BAD_TOKEN);
    });
  };

  identifierEndpoint({ path: '/v1/signup', action: 'signup', flow: signup, silentReply: SIGNUP_ACCEPTED });
  identifierEndpoint({ path: '/v1/login', action: 'login', flow: login, silentReply: LOGIN_FAILED });
  identifierEndpoint({ path: '/v1/recovery', action: 'recovery', flow: recoveryRequest, silentReply: RECOVERY_ACCEPTED });
  identifierEndpoint({ path: '/v1/magic-link', action: 'magic-link', flow: magicRequest, silentReply: MAGIC_ACCEPTED });
  tokenEndpoint({ path: '/v1/verify', flow: verify });
  tokenEndpoint({ path: '/v1/recovery/confirm', flow: recoveryConfirm });
  tokenEndpoint({ path: '/v1/magic-link/confirm', flow: magicConfirm });

  app.post('/v1/logout', async (c) => {
    const outcome = await settle(() => logout(deps.flows, deps.cookie.read(c), meta(c)), deps.logger, 'logout');
    return send(c, outcome, deps.cookie);
  });

  app.get('/v1/session', async (c) => {
    const token = deps.cookie.read(c);
    const found = token === null ? null : await deps.flows.sessions.validate(deps.flows.store.sessions, token);
    if (found === null || token === null) return send(c, { reply: UNAUTHORIZED }, deps.cookie);
    // The session slid forward: the cookie's expiry follows it.
    deps.cookie.set(c, token, found.session.expiresAt);
    return c.json({ id: found.identity.id, email: maskEmail(found.identity.email) }, 200);
  });

  app.post('/v1/password', async (c) => {
    const fields = await bodyOrReply(c);
    if (fields instanceof Response) return fields;
    const m = meta(c);
    const token = deps.cookie.read(c);
    const outcome = await deps.envelope.run('password.change', () =>
      settle(
        async (): Promise<Outcome> => {
          const input = parsePasswordChange(fields, deps.flows);
          const found = token === null ? null : await deps.flows.sessions.validate(deps.flows.store.sessions, token);
          if (found === null || token === null) return { reply: UNAUTHORIZED };
          return changePassword(deps.flows, { ...input, identity: found.identity, sessionToken: token, sessionCreatedAt: found.session.createdAt }, m);
        },
        deps.logger,
        'password.change',
      ),
    );
    return send(c, outcome, deps.cookie);
  });

  return app;
}

/**
 * The Node request under `c.req.raw` when the server built that Request from
 * it (@hono/node-server's lazy request, whose prototype is its own); not for
 * a Request made in process (the pages' forward, `app.request` in tests),
 * whose body is its own.
 */
function nodeIncoming(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  return incoming !== undefined && Object.getPrototypeOf(c.req.raw) !== Request.prototype ? incoming : undefined;
}

/** Reads the body, or answers the error it caused (413, 400, 415): those depend only on the bytes sent. */
async function bodyOrReply(c: Context): Promise<Fields | Response> {
  try {
    return await readBody(c.req.raw, undefined, nodeIncoming(c));
  } catch (err) {
    if (err instanceof HushError) return c.json(err.toJSON(), err.status as 400);
    throw err;
  }
}
