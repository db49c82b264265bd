/**
 * `return_to`: where a person goes after signing in, and the one place it is
 * decided. A value is accepted only when it is an absolute http(s) URL on an
 * allowed origin, spelled exactly as that origin (scheme and host in lower
 * case, no default port, no user info), or a path on hush's own origin
 * (`/dashboard`, never `//host` or `/\host`). Anything else (`//evil`,
 * `https:evil`, `\\evil`, `https://app@evil`, `HTTPS://APP`, `javascript:`,
 * control characters a browser would strip, over-long values) is refused and
 * the caller uses its default page. The accepted value is re-serialized by the
 * WHATWG URL parser, the one browsers use, so what is checked is what they follow.
 *
 * It depends only on the value and the allow-list: never on an account.
 */

/** Longer values are refused (a URL in a mail link and a Location header stays short). */
export const RETURN_TO_MAX_LENGTH = 2048;

export interface ReturnToPolicy {
  /** hush's own origin (HUSH_ORIGIN): always allowed, and what a bare path is resolved against. */
  origin: string;
  /** HUSH_RETURN_TO_ORIGINS. */
  origins: readonly string[];
}

/** The accepted absolute URL for `raw`, or null when it is absent or refused. */
export function resolveReturnTo(raw: unknown, policy: ReturnToPolicy): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > RETURN_TO_MAX_LENGTH) return null;
  // Backslashes (read as slashes by browsers), whitespace and control characters (stripped by the URL parser,
  // so `/\t/evil` would become `//evil`) and anything outside printable ASCII: refused outright.
  if (!/^[\x21-\x7e]+$/.test(raw) || raw.includes('\\')) return null;
  const allowed = new Set([policy.origin, ...policy.origins]);
  if (raw.startsWith('/')) {
    // A path on hush's own origin; `//host` is a scheme-relative URL to another host.
    if (raw.startsWith('//')) return null;
    return checked(new URL(raw, policy.origin), allowed);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  // The raw text must begin with the allowed origin exactly as configured, then a path, query or fragment:
  // this refuses `https:evil`, mixed case, `https://app.example.com.evil`, `:443` and user info before the host.
  const origin = url.origin;
  if (!allowed.has(origin)) return null;
  const rest = raw.slice(origin.length);
  if (!raw.startsWith(origin) || !(rest === '' || rest.startsWith('/') || rest.startsWith('?') || rest.startsWith('#'))) return null;
  return checked(url, allowed);
}

function checked(url: URL, allowed: ReadonlySet<string>): string | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '' || !allowed.has(url.origin)) return null;
  return url.href;
}

/** hush's default page after signing in: the account page, under the base path. */
export function defaultReturnTo(origin: string, basePath: string): string {
  return `${origin}${basePath}/account`;
}
