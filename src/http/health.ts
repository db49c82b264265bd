import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { isMigrated } from '../store/migrate.js';

/**
 * `/healthz`: the process is alive. `/readyz`: the database answers and every
 * migration of this build is applied (503 otherwise). `/metrics` is not here:
 * it has a listener of its own (http/metrics.ts).
 */
export function healthRoutes(deps: { db: Kysely<Database>; isStopping: () => boolean }): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (deps.isStopping()) return c.json({ status: 'stopping' }, 503);
    try {
      const ok = await withTimeout(isMigrated(deps.db), 2000);
      return ok ? c.json({ status: 'ready' }) : c.json({ status: 'not migrated' }, 503);
    } catch {
      return c.json({ status: 'database unavailable' }, 503);
    }
  });
  return app;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
