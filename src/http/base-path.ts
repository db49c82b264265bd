import type { MiddlewareHandler } from 'hono';

/**
 * HUSH_BASE_PATH (`/auth`): hush on the app's own origin, under one path. The
 * routes are mounted under it (http/app.ts); this middleware makes what hush
 * writes follow: a `Location` on hush's origin (`/account`) and the paths in
 * its own pages' attributes (`href`, `action`, `src`, the forms' `data-api`
 * and `data-next`, the proof-of-work widget's `challenge`, the worker) get the
 * prefix. The pages are hush's own markup, where every value a person typed
 * is escaped (`"` becomes `&quot;`), so an attribute that begins `="/` was
 * written by hush. Pages stay written with root paths; no view knows the prefix.
 */
const ATTRIBUTES = /(\s(?:href|action|src|data-api|data-next|data-pow-worker|challenge)=")\/(?![/\\])/g;

export function prefixPath(basePath: string, path: string): string {
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\') ? `${basePath}${path}` : path;
}

export function prefixPage(basePath: string, html: string): string {
  return html.replace(ATTRIBUTES, `$1${basePath}/`);
}

export function basePathRewrite(basePath: string): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const location = c.res.headers.get('location');
    if (location !== null) c.res.headers.set('location', prefixPath(basePath, location));
    if (c.res.headers.get('content-type')?.startsWith('text/html') === true && c.res.body !== null) {
      const html = prefixPage(basePath, await c.res.text());
      const headers = new Headers(c.res.headers);
      headers.delete('content-length');
      c.res = new Response(html, { status: c.res.status, headers });
    }
  };
}
