import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Detected } from './engine.js';
import type { DetectionState } from './state.js';

/**
 * Detection's metrics on the caller's registry (never the global one):
 * signals raised, responses run, analysis failures, and the state's live
 * groups and evictions (the sign of a flood of rotating addresses).
 */
export interface DetectionMetrics {
  /** Feed to Detection's `onDetected`. */
  observe(found: Detected): void;
}

function reuse<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function detectionMetrics(registry: Registry, state: DetectionState, failures: () => number): DetectionMetrics {
  const registers = [registry];
  const signals = reuse(registry, 'hush_detect_signal_changes_total', () => new Counter({ name: 'hush_detect_signal_changes_total', help: 'Signals opened, escalated or updated, by rule and severity.', labelNames: ['rule', 'severity', 'kind'] as const, registers }));
  const responses = reuse(registry, 'hush_detect_responses_total', () => new Counter({ name: 'hush_detect_responses_total', help: 'Detection responses asked for, by kind.', labelNames: ['kind'] as const, registers }));
  reuse(registry, 'hush_detect_groups', () => new Gauge({ name: 'hush_detect_groups', help: 'Live detection groups in this process (memory state).', registers, async collect() { this.set((await state.stats()).groups); } }));
  reuse(registry, 'hush_detect_evictions', () => new Gauge({ name: 'hush_detect_evictions', help: 'Groups evicted so far to keep detection memory bounded (memory state).', registers, async collect() { this.set((await state.stats()).evictions); } }));
  reuse(registry, 'hush_detect_failures', () => new Gauge({ name: 'hush_detect_failures', help: 'Events or responses detection failed to handle so far (state or store down).', registers, collect() { this.set(failures()); } }));
  return {
    observe(found: Detected): void {
      for (const c of found.changes) signals.inc({ rule: c.signal.ruleId, severity: c.signal.severity, kind: c.kind });
      for (const r of found.responses) responses.inc({ kind: r.response.kind });
    },
  };
}
