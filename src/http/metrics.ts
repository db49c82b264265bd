import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { Registry } from 'prom-client';
import { HushError } from '../kernel/errors.js';

/**
 * `/metrics` for Prometheus, never for the public. Counters are side
 * channels: a count of mail delivered rises only when a reset named a real,
 * confirmed account. So the scrape endpoint lives on its own listener, bound
 * to the loopback by default (`HUSH_METRICS_LISTEN`, the Prometheus habit),
 * and on the public listener only behind a bearer key (`HUSH_METRICS_KEY`);
 * without the key the public `/metrics` is the same 404 as any unknown path.
 */
export function metricsApp(metrics: Registry): Hono {
  const app = new Hono();
  app.get('/metrics', (c) => scrape(c, metrics));
  return app;
}

async function scrape(c: Context, metrics: Registry): Promise<Response> {
  return c.body(await metrics.metrics(), 200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
}

/** The public listener's `/metrics`: only with `Authorization: Bearer <HUSH_METRICS_KEY>`; absent or wrong, a 404 like any unknown path. */
export function keyedMetrics(deps: { metrics: Registry; key: string | undefined }): Hono {
  const app = new Hono();
  if (deps.key === undefined) return app;
  const expected = digest(deps.key);
  app.get('/metrics', async (c) => {
    const header = c.req.header('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    // Digests of equal length, compared in constant time: the key's length leaks nothing either.
    if (!timingSafeEqual(digest(given), expected)) return c.json(new HushError('HUSH_NOT_FOUND').toJSON(), 404);
    return scrape(c, deps.metrics);
  });
  return app;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
