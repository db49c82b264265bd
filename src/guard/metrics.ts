import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/**
 * The guards' metrics, registered on the registry the caller owns (never the
 * global one, so two instances in one process, as in tests, do not collide).
 * Re-registering on the same registry reuses the existing metric.
 */
export interface GuardMetrics {
  /** Every non-pass verdict, by action, verdict and guard. */
  verdicts: Counter<'action' | 'verdict' | 'guard'>;
  /** 1 while a shared store (Redis) is unreachable and a per-instance fallback decides instead. */
  degraded: Gauge<'store'>;
  /** Store operations answered by the per-instance insurance limiter or replay fallback. */
  fallbackDecisions: Counter<'store'>;
  /** Proof-of-work verifications by outcome. */
  pow: Counter<'outcome'>;
  /** Entries currently on the block list of this instance. */
  blocks: Gauge;
}

function reuse<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function guardMetrics(registry: Registry): GuardMetrics {
  const registers = [registry];
  return {
    verdicts: reuse(registry, 'hush_guard_verdicts_total', () => new Counter({ name: 'hush_guard_verdicts_total', help: 'Guard verdicts other than pass, by action, verdict and guard.', labelNames: ['action', 'verdict', 'guard'] as const, registers })),
    degraded: reuse(registry, 'hush_guard_store_degraded', () => new Gauge({ name: 'hush_guard_store_degraded', help: '1 while the shared guard store is unreachable and a per-instance fallback decides.', labelNames: ['store'] as const, registers })),
    fallbackDecisions: reuse(registry, 'hush_guard_fallback_decisions_total', () => new Counter({ name: 'hush_guard_fallback_decisions_total', help: 'Guard store operations (counts, spends) answered by a per-instance fallback while the shared store was unreachable.', labelNames: ['store'] as const, registers })),
    pow: reuse(registry, 'hush_guard_pow_verifications_total', () => new Counter({ name: 'hush_guard_pow_verifications_total', help: 'Proof-of-work verifications by outcome.', labelNames: ['outcome'] as const, registers })),
    blocks: reuse(registry, 'hush_guard_blocks', () => new Gauge({ name: 'hush_guard_blocks', help: 'Active block-list entries known to this instance.', registers })),
  };
}
