import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Envelope } from '../core/envelope.js';

/** Request counts and durations by route pattern (never by raw path: paths may carry ids). */
export function httpMetrics(registry: Registry): MiddlewareHandler {
  const requests = new Counter({ name: 'hush_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'hush_http_request_duration_seconds',
    help: 'HTTP request duration (including the envelope floor)',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return async (c, next) => {
    const start = performance.now();
    await next();
    const route = routePath(c) || 'unmatched';
    requests.inc({ method: c.req.method, route, status: String(c.res.status) });
    duration.observe({ method: c.req.method, route }, (performance.now() - start) / 1000);
  };
}

/** Account flows working and waiting for admission (the envelope's line), at each scrape. */
export function envelopeGauge(metrics: Registry, envelope: Envelope): void {
  new Gauge({
    name: 'hush_envelope_flows',
    help: 'Account flows working now, and waiting in line to be admitted (HUSH_FLOW_CONCURRENCY): a line that never empties says the machine is short of CPU.',
    labelNames: ['state'] as const,
    registers: [metrics],
    collect() {
      const { active, queued } = envelope.load;
      this.set({ state: 'working' }, active);
      this.set({ state: 'waiting' }, queued);
    },
  });
}
