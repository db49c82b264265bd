import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { OutboxStats } from './queue.js';

export interface OutboxMetrics {
  deliveries: Counter<'kind'>;
  failures: Counter<'kind' | 'outcome'>;
}

/**
 * The worker's metrics on the given registry (never the global one). Depth
 * and age are gauges read from the table when scraped, so they are true for
 * the whole outbox even with several instances. On a registry that already
 * has them (a worker restarted in one process) the counters carry on and
 * the gauges read through the newest worker.
 */
export function outboxMetrics(registry: Registry, stats: () => Promise<OutboxStats>, onError: (err: unknown) => void): OutboxMetrics {
  let latest: Promise<OutboxStats | undefined> | undefined;
  // One table read serves the gauges of one scrape.
  const read = (): Promise<OutboxStats | undefined> => {
    latest ??= stats()
      .catch((err: unknown) => {
        onError(err);
        return undefined;
      })
      .finally(() => {
        setTimeout(() => (latest = undefined), 0);
      });
    return latest;
  };
  for (const name of ['hush_outbox_depth', 'hush_outbox_oldest_age_seconds']) registry.removeSingleMetric(name);
  new Gauge({
    name: 'hush_outbox_depth',
    help: 'Outbox rows waiting for delivery (state=pending) or given up (state=failed).',
    labelNames: ['state'],
    registers: [registry],
    async collect(): Promise<void> {
      const s = await read();
      if (s === undefined) return;
      this.set({ state: 'pending' }, s.pending);
      this.set({ state: 'failed' }, s.failed);
    },
  });
  new Gauge({
    name: 'hush_outbox_oldest_age_seconds',
    help: 'Age of the oldest outbox row waiting for delivery (0 when none).',
    registers: [registry],
    async collect(): Promise<void> {
      const s = await read();
      if (s !== undefined) this.set(s.oldestAgeMs / 1000);
    },
  });
  const deliveries =
    (registry.getSingleMetric('hush_outbox_deliveries_total') as Counter<'kind'> | undefined) ??
    new Counter({ name: 'hush_outbox_deliveries_total', help: 'Outbox rows delivered.', labelNames: ['kind'], registers: [registry] });
  const failures =
    (registry.getSingleMetric('hush_outbox_failures_total') as Counter<'kind' | 'outcome'> | undefined) ??
    new Counter({
      name: 'hush_outbox_failures_total',
      help: 'Failed delivery attempts: outcome=retry (tried again later) or outcome=failed (given up).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
  return { deliveries, failures };
}
