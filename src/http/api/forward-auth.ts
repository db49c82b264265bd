import { Hono } from 'hono';
import type { Context } from 'hono';
import { HushError } from '../../kernel/errors.js';
import type { FlowDeps } from '../../core/flows/index.js';
import type { SessionCookie } from '../cookies.js';

export interface ForwardAuthDeps {
  flows: Pick<FlowDeps, 'sessions' | 'store'>;
  cookie: SessionCookie;
  /** HUSH_FORWARD_AUTH_EMAIL: also send the full address. */
  email: boolean;
}

/** The reply without a live session: fixed, whatever the cookie held. */
const UNAUTHORIZED_BODY = JSON.stringify(new HushError('HUSH_UNAUTHORIZED').toJSON());

/**
 * `GET /v1/forward-auth`: the reverse proxy's question "who is behind this
 * request?" (nginx `auth_request`, Traefik `ForwardAuth`, Caddy
 * `forward_auth`; docs/deploying.md). The proxy forwards the visitor's
 * cookies; with a live session the reply is `200` with `X-Hush-Identity` (the
 * identity id) and, when configured, `X-Hush-Email`, and nothing else about
 * the account; without, `401`. It is one session lookup (SHA-256 of the
 * cookie, one indexed read; a write at most once per tenth of the idle
 * lifetime), no password hashing, and it never sets a cookie: the proxy would
 * not pass it on. Any method is answered (Traefik and Caddy forward the
 * visitor's), always uncached.
 */
export function forwardAuthApi(deps: ForwardAuthDeps): Hono {
  const app = new Hono();
  app.on(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], '/v1/forward-auth', async (c) => {
    c.header('Cache-Control', 'no-store');
    const who = await identityOf(c, deps);
    if (who === null) {
      c.header('Content-Type', 'application/json');
      return c.body(UNAUTHORIZED_BODY, 401);
    }
    c.header('X-Hush-Identity', who.id);
    if (deps.email) c.header('X-Hush-Email', who.email);
    return c.body(null, 200);
  });
  return app;
}

async function identityOf(c: Context, deps: ForwardAuthDeps): Promise<{ id: string; email: string } | null> {
  const token = deps.cookie.read(c);
  if (token === null) return null;
  const found = await deps.flows.sessions.validate(deps.flows.store.sessions, token);
  return found === null ? null : { id: found.identity.id, email: found.identity.email };
}
