import type { Context, MiddlewareHandler } from 'hono';
import { HushError } from '../kernel/errors.js';

/**
 * Cross-site request forgery protection by the browser's own headers, with no
 * token to store (OWASP "Verifying origin with standard headers", and the
 * Fetch Metadata resource-isolation policy). For unsafe methods only:
 *
 * 1. `Origin` is the configured public origin or one of HUSH_CORS_ORIGINS: pass
 *    (an allowed site calling the API is cross-site by definition).
 * 2. `Sec-Fetch-Site: cross-site` or `same-site`: refuse. A sibling subdomain
 *    is another site for our purposes: it may host user content.
 * 3. `Sec-Fetch-Site: same-origin`: pass. The browser attests that the page
 *    that sent it is on the host it targets, even when that host is spelled
 *    differently from HUSH_ORIGIN (127.0.0.1 vs localhost, an internal name).
 *    No script can set this header.
 * 4. `Origin` present (including `null`, sent by sandboxed frames and some
 *    redirects) and not allowed: refuse.
 * 5. Neither header: not a browser (curl, a server calling the API), which
 *    cannot be made to carry a victim's cookie: pass.
 *
 * A refusal is 403 HUSH_CSRF, decided from headers alone: the same for every
 * account.
 */
export interface CsrfOptions {
  /** The configured public origin (HUSH_ORIGIN). */
  origin: string;
  /** HUSH_CORS_ORIGINS: sites allowed to call the API from a browser. */
  corsOrigins?: readonly string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why a request is refused, or null when it may proceed. Exported for tests and for callers outside Hono. */
export function csrfRefusal(method: string, headers: Headers, allowed: ReadonlySet<string>): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const origin = headers.get('origin');
  if (origin !== null && allowed.has(origin)) return null;
  const site = headers.get('sec-fetch-site')?.trim().toLowerCase();
  if (site === 'cross-site' || site === 'same-site') return 'the request came from another site';
  if (site === 'same-origin') return null;
  if (origin !== null) return 'the request came from another origin';
  return null;
}

/** Hono middleware: mount it before the API and the pages (`app.use('*', csrf({ origin, corsOrigins }))`). */
export function csrf(options: CsrfOptions): MiddlewareHandler {
  const allowed = new Set<string>([new URL(options.origin).origin, ...(options.corsOrigins ?? [])]);
  return async (c: Context, next) => {
    const reason = csrfRefusal(c.req.method, c.req.raw.headers, allowed);
    if (reason !== null) {
      const err = new HushError('HUSH_CSRF', { details: [{ field: 'Origin', reason }] });
      return c.json(err.toJSON(), 403);
    }
    await next();
  };
}
