import { Hono } from 'hono';
import type { Context } from 'hono';
import { HushError } from '../../kernel/errors.js';
import type { FlowDeps } from '../../core/flows/index.js';
import type { SessionCookie } from '../cookies.js';
import { acceptedReturnTo } from '../return-to.js';
import type { ReturnToSettings } from '../return-to.js';

export interface ForwardAuthDeps {
  flows: Pick<FlowDeps, 'sessions' | 'store' | 'clock'>;
  cookie: SessionCookie;
  /** HUSH_FORWARD_AUTH_EMAIL: also send the full address. */
  email: boolean;
  /** Where hush lives and which origins a `return_to` may name: the sign-in redirect's. */
  returnTo: ReturnToSettings;
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
 * lifetime), no password hashing. When that lookup slid the session's idle
 * expiry forward, the reply sets the cookie again with the new expiry, for
 * the proxy to pass on (nginx: `auth_request_set` and `add_header`), so a
 * person who only uses the app is not signed out when the cookie's first
 * expiry passes. Any method is answered (Traefik and Caddy forward the
 * visitor's), always uncached.
 */
export function forwardAuthApi(deps: ForwardAuthDeps): Hono {
  const app = new Hono();
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  app.on(methods, '/v1/forward-auth', async (c) => {
    c.header('Cache-Control', 'no-store');
    const who = await identityOf(c, deps);
    if (who === null) {
      // Traefik and Caddy pass any other reply on to the visitor: with `?redirect=1` that is the way to sign in.
      if (c.req.query('redirect') === '1') return signIn(c, deps.returnTo);
      c.header('Content-Type', 'application/json');
      return c.body(UNAUTHORIZED_BODY, 401);
    }
    c.header('X-Hush-Identity', who.id);
    // A header carries bytes, not text: an address with non-ASCII characters has those percent-encoded (UTF-8).
    if (deps.email) c.header('X-Hush-Email', who.email.replace(/[^\x20-\x7e]/gu, (ch) => encodeURIComponent(ch)));
    return c.body(null, 200);
  });
  // nginx's auth_request understands only 2xx, 401 and 403: its `error_page 401` sends the visitor here.
  app.on(methods, '/v1/forward-auth/sign-in', (c) => {
    c.header('Cache-Control', 'no-store');
    return signIn(c, deps.returnTo);
  });
  return app;
}

/**
 * A redirect to hush's sign-in page that will bring the visitor back: the
 * page they asked for is rebuilt from the proxy's `X-Forwarded-Proto`,
 * `X-Forwarded-Host` and `X-Forwarded-Uri` (what Traefik and Caddy send, and
 * the nginx config sets) and becomes `return_to` only if it is accepted
 * (core/return-to.ts). Anyone can send those headers; they only choose a
 * `return_to` that the allow-list still decides, as a link could.
 */
function signIn(c: Context, settings: ReturnToSettings): Response {
  const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
  const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim();
  const uri = c.req.header('x-forwarded-uri');
  const wanted = proto === undefined || host === undefined || uri?.startsWith('/') !== true ? null : acceptedReturnTo(`${proto}://${host}${uri}`, settings);
  const login = `${settings.origin}${settings.basePath}/login`;
  return c.redirect(wanted === null ? login : `${login}?return_to=${encodeURIComponent(wanted)}`, 302);
}

async function identityOf(c: Context, deps: ForwardAuthDeps): Promise<{ id: string; email: string } | null> {
  const token = deps.cookie.read(c);
  if (token === null) return null;
  const before = deps.flows.clock.now();
  const found = await deps.flows.sessions.validate(deps.flows.store.sessions, token);
  if (found === null) return null;
  // Seen at or after this lookup began: this lookup slid it (Sessions.validate writes only then).
  if (found.session.lastSeenAt.getTime() >= before) deps.cookie.set(c, token, found.session.expiresAt);
  return { id: found.identity.id, email: found.identity.email };
}
