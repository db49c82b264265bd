import type { Context, MiddlewareHandler } from 'hono';
import { HushError } from '../kernel/errors.js';
import type { ProxyTrust } from '../guard/address.js';
import { normalizeIp } from '../guard/address.js';

/**
 * HTTP hardening for every reply. Mount in this order, outermost first:
 *
 *     app.use('*', securityHeaders({ origin }))
 *     app.use('*', cors({ origins: config.corsOrigins }))
 *     app.use('*', refuseInsecureTokens({ origin, trust: guards.trust, tokenPaths: [...] }))
 *
 * Every header here is a constant of the route, so replies for existing and
 * unknown accounts stay byte-identical (design.md §4.1).
 */

/** JSON and anything that is not a page: nothing may load, nothing may frame it. */
export const JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** Hosted pages: own scripts and styles only (the ALTCHA widget solves in workers, some from blob: URLs). */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/** Two years: the value hstspreload.org asks for; no `preload`, which is an operator's decision. */
const HSTS = 'max-age=63072000; includeSubDomains';

/**
 * nosniff, no referrer (reset links carry tokens in the URL), no caching unless a
 * handler chose its own Cache-Control (static assets), a CSP by content type
 * unless the handler set one, no framing, and HSTS when the public origin is https.
 */
export function securityHeaders(options: { origin: string; pageCsp?: string }): MiddlewareHandler {
  const https = new URL(options.origin).protocol === 'https:';
  const pageCsp = options.pageCsp ?? PAGE_CSP;
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Referrer-Policy', 'no-referrer');
    h.set('X-Frame-Options', 'DENY');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store');
    if (!h.has('Content-Security-Policy')) {
      const html = (h.get('Content-Type') ?? '').toLowerCase().startsWith('text/html');
      h.set('Content-Security-Policy', html ? pageCsp : JSON_CSP);
    }
    if (https) h.set('Strict-Transport-Security', HSTS);
  };
}

const PREFLIGHT_METHODS = 'GET, POST, OPTIONS';
const PREFLIGHT_HEADERS = 'Content-Type, Authorization';

/**
 * CORS, closed unless HUSH_CORS_ORIGINS lists the caller's origin. Allowed
 * origins are echoed one at a time (never `*`, which cannot carry
 * credentials); a preflight from any other origin gets 403.
 */
export function cors(options: { origins: readonly string[] }): MiddlewareHandler {
  const allowed = new Set(options.origins);
  return async (c, next) => {
    const origin = c.req.header('Origin');
    const ok = origin !== undefined && allowed.has(origin);
    const preflight = c.req.method === 'OPTIONS' && c.req.header('Access-Control-Request-Method') !== undefined;
    if (preflight) {
      if (!ok) return forbid(c, new HushError('HUSH_FORBIDDEN', { details: [{ field: 'Origin', reason: 'this origin may not call the API from a browser' }] }));
      return new Response(null, {
        status: 204,
        headers: {
          'Access-Control-Allow-Origin': origin,
          'Access-Control-Allow-Credentials': 'true',
          'Access-Control-Allow-Methods': PREFLIGHT_METHODS,
          'Access-Control-Allow-Headers': PREFLIGHT_HEADERS,
          'Access-Control-Max-Age': '600',
          Vary: 'Origin',
        },
      });
    }
    await next();
    if (allowed.size > 0) c.res.headers.append('Vary', 'Origin');
    if (ok) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      c.res.headers.set('Access-Control-Allow-Credentials', 'true');
      c.res.headers.set('Access-Control-Expose-Headers', 'Retry-After');
    }
  };
}

interface NodeSocketLike {
  remoteAddress?: string;
  encrypted?: boolean;
}

/** The TCP socket under a request served by @hono/node-server (`c.env.incoming.socket`), if any. */
export function socketOf(c: Context): NodeSocketLike | undefined {
  const env = c.env as { incoming?: { socket?: NodeSocketLike } } | undefined;
  return env?.incoming?.socket;
}

/**
 * True when the request reached us over TLS: the socket's own TLS, or a
 * trusted proxy saying https. The request URL's scheme is not used when a
 * socket is known: an absolute-form request target would let a client choose it.
 */
export function arrivedOverHttps(c: Context, trust: ProxyTrust | undefined): boolean {
  const socket = socketOf(c);
  if (socket === undefined) return new URL(c.req.url).protocol === 'https:';
  if (socket.encrypted === true) return true;
  const peer = normalizeIp(socket.remoteAddress ?? '');
  if (trust === undefined || peer === null || !(trust.hops > 0 || trust.trusts(peer))) return false;
  // The proxy nearest us wrote the last value.
  const xfp = c.req.header('X-Forwarded-Proto')?.split(',').at(-1)?.trim().toLowerCase();
  if (xfp !== undefined) return xfp === 'https';
  const fwd = c.req.header('Forwarded')?.split(',').at(-1) ?? '';
  return /(?:^|;)\s*proto="?https"?\s*(?:;|$)/i.test(fwd);
}

/** A request that carries a credential: a cookie, an Authorization header, a `token` query parameter, or a token-confirm path. */
export function carriesToken(c: Context, tokenPaths: readonly string[]): boolean {
  if (c.req.header('Cookie') !== undefined || c.req.header('Authorization') !== undefined) return true;
  const url = new URL(c.req.url);
  // Under HUSH_BASE_PATH the path carries the prefix (`/auth/v1/verify`).
  return url.searchParams.has('token') || tokenPaths.some((p) => url.pathname === p || url.pathname.endsWith(p));
}

/**
 * When the public origin is https, a token-bearing request that arrived over
 * plain http is refused (403 HUSH_INSECURE_TRANSPORT): its token has already
 * crossed the network in clear, and serving it would teach clients that http works.
 */
export function refuseInsecureTokens(options: { origin: string; trust: ProxyTrust | undefined; tokenPaths?: readonly string[] }): MiddlewareHandler {
  const https = new URL(options.origin).protocol === 'https:';
  const tokenPaths = options.tokenPaths ?? ['/v1/verify', '/v1/recovery/confirm', '/v1/magic-link/confirm', '/v1/disown', '/v1/login/second-factor'];
  return async (c, next) => {
    if (https && carriesToken(c, tokenPaths) && !arrivedOverHttps(c, options.trust)) return forbid(c, new HushError('HUSH_INSECURE_TRANSPORT'));
    await next();
  };
}

function forbid(c: Context, err: HushError): Response {
  return c.json(err.toJSON(), err.status as 403);
}
