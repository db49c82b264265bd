import type { IncomingMessage } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { HushError } from '../../kernel/errors.js';
import { maskEmail } from '../../core/identifier.js';
import { UNAUTHORIZED, runGuarded, runLogout, runPasswordChange } from '../../core/guarded-flow.js';
import type { GuardedDeps } from '../../core/guarded-flow.js';
import { login, magicConfirm, magicRequest, recoveryConfirm, recoveryRequest, signup, verify } from '../../core/flows/index.js';
import type { GuardedFlow } from '../../core/flows/index.js';
import { readBody } from '../body.js';
import type { Fields } from '../body.js';
import type { RequestClient } from '../client.js';
import type { SessionCookie } from '../cookies.js';
import { send } from '../respond.js';
import { returnToSettings, withReturnTo } from '../return-to.js';

export interface AccountApiDeps {
  /** What core's guarded-flow runner needs: the flows' dependencies, the envelope, the guards, the logger. */
  guarded: GuardedDeps;
  cookie: SessionCookie;
  /** Who sent the request (socket, or a trusted proxy's header): built once for every route. */
  client: RequestClient;
}

/**
 * The JSON API of the account flows (docs/api.md). Every endpoint that takes
 * an identifier or a token reads the body, then hands it to core's
 * guarded-flow runner, which starts the envelope's clock and runs
 * validation, the guards' verdict and the flow inside it.
 */
export function accountApi(deps: AccountApiDeps): Hono {
  const app = new Hono();
  const { flows } = deps.guarded;
  const returnTo = returnToSettings(flows.settings);

  const guarded = <I>(path: string, flow: GuardedFlow<I>): void => {
    app.post(path, async (c) => {
      const fields = await bodyOrReply(c);
      if (fields instanceof Response) return fields;
      const outcome = withReturnTo(await runGuarded(deps.guarded, flow, fields, deps.client.meta(c)), fields, returnTo);
      return send(c, outcome, deps.cookie, outcome.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(outcome.retryAfterSeconds) });
    });
  };
  guarded('/v1/signup', signup);
  guarded('/v1/login', login);
  guarded('/v1/recovery', recoveryRequest);
  guarded('/v1/magic-link', magicRequest);
  guarded('/v1/verify', verify);
  guarded('/v1/recovery/confirm', recoveryConfirm);
  guarded('/v1/magic-link/confirm', magicConfirm);

  app.post('/v1/logout', async (c) => send(c, await runLogout(deps.guarded, deps.cookie.read(c), deps.client.meta(c)), deps.cookie));

  app.get('/v1/session', async (c) => {
    const token = deps.cookie.read(c);
    const found = token === null ? null : await flows.sessions.validate(flows.store.sessions, token);
    if (found === null || token === null) return send(c, { reply: UNAUTHORIZED }, deps.cookie);
    // The session slid forward: the cookie's expiry follows it.
    deps.cookie.set(c, token, found.session.expiresAt);
    return c.json({ id: found.identity.id, email: maskEmail(found.identity.email) }, 200);
  });

  app.post('/v1/password', async (c) => {
    const fields = await bodyOrReply(c);
    if (fields instanceof Response) return fields;
    return send(c, await runPasswordChange(deps.guarded, fields, deps.cookie.read(c), deps.client.meta(c)), deps.cookie);
  });

  return app;
}

/**
 * The Node request under `c.req.raw` when the server built that Request from
 * it (@hono/node-server's lazy request, whose prototype is its own); not for
 * a Request made in process (`app.request` in tests), whose body is its own.
 */
function nodeIncoming(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  return incoming !== undefined && Object.getPrototypeOf(c.req.raw) !== Request.prototype ? incoming : undefined;
}

/** Reads the body, or answers the error it caused (413, 400, 415): those depend only on the bytes sent. */
export async function bodyOrReply(c: Context): Promise<Fields | Response> {
  try {
    return await readBody(c.req.raw, undefined, nodeIncoming(c));
  } catch (err) {
    if (err instanceof HushError) return c.json(err.toJSON(), err.status as 400);
    throw err;
  }
}
