import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from '../kernel/log.js';

/**
 * One debug line per request: method, route pattern, status, duration. Never
 * the path (a path may carry an id), the query, a header or a body.
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    await next();
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ method: c.req.method, route: routePath(c) || 'unmatched', status: c.res.status, ms: Math.round((performance.now() - start) * 10) / 10 }, 'request');
    }
  };
}
