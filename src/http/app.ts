import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { HushError } from '../kernel/errors.js';
import type { Logger } from '../kernel/log.js';
import { basePathRewrite } from './base-path.js';

/**
 * The fetch handler's frame: middleware in a visible order, the sub-apps the
 * composition root mounts, and the two ends every request can reach — an
 * unknown route (404) and an unexpected failure (500, logged, never a stack
 * trace to the client).
 */
/** A sub-app of any environment (some carry their own context variables, like the API key). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- sub-apps differ only in their own Variables
export type SubApp = Hono<any, any, any>;

export function createApp(parts: { logger: Logger; middleware: readonly MiddlewareHandler[]; routes: readonly SubApp[]; basePath?: string }): Hono {
  const base = parts.basePath ?? '';
  // Under HUSH_BASE_PATH every route is under the prefix, and what hush writes follows it (http/base-path.ts).
  const app = base === '' ? new Hono() : (new Hono({ strict: false }).basePath(base) as unknown as Hono);
  if (base !== '') app.use('*', basePathRewrite(base));
  for (const m of parts.middleware) app.use('*', m);
  for (const r of parts.routes) app.route('/', r);
  app.notFound((c) => c.json(new HushError('HUSH_NOT_FOUND').toJSON(), 404));
  app.onError((err, c) => {
    if (err instanceof HushError) return c.json(err.toJSON(), err.status as 400);
    parts.logger.error({ err, method: c.req.method, route: c.req.routePath }, 'request failed');
    return c.json(new HushError('HUSH_INTERNAL').toJSON(), 500);
  });
  return app;
}
