import type { AccountEvent } from '../../../src/core/event.js';
import { ManualClock } from '../../../src/kernel/clock.js';
import { SeededRandom } from '../../../src/kernel/random.js';
import { DetectionEngine } from '../../../src/detect/engine.js';
import type { PlannedResponse } from '../../../src/detect/engine.js';
import { defaultRulesDir, loadRules } from '../../../src/detect/load-rules.js';
import { MemoryState } from '../../../src/detect/memory-state.js';
import type { Rule } from '../../../src/detect/rule.js';
import type { SignalChange } from '../../../src/detect/signal.js';
import type { DetectionState } from '../../../src/detect/state.js';

/** An engine on the shipped rules (or some of them), a manual clock, and every change and response it produced. */
export class Harness {
  readonly clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  readonly engine: DetectionEngine;
  readonly changes: SignalChange[] = [];
  readonly responses: PlannedResponse[] = [];

  constructor(options: { only?: string[]; rules?: Rule[]; state?: DetectionState; seed?: number } = {}) {
    const all = options.rules ?? loadRules([defaultRulesDir()]);
    const rules = options.only ? all.filter((r) => options.only?.includes(r.id)) : all;
    this.engine = new DetectionEngine({ rules, state: options.state ?? new MemoryState(), clock: this.clock, random: new SeededRandom(options.seed ?? 1) });
  }

  async send(event: Partial<AccountEvent> & { name: string }): Promise<void> {
    const found = await this.engine.observe({ at: this.clock.now(), ...event });
    this.changes.push(...found.changes);
    this.responses.push(...found.responses);
  }

  /** The distinct signals raised (by id), each with its highest severity. */
  signals(ruleId?: string): { id: string; severity: string; ruleId: string }[] {
    const byId = new Map<string, { id: string; severity: string; ruleId: string }>();
    for (const c of this.changes) if (ruleId === undefined || c.signal.ruleId === ruleId) byId.set(c.signal.id, { id: c.signal.id, severity: c.signal.severity, ruleId: c.signal.ruleId });
    return [...byId.values()];
  }
}

export const MIN = 60_000;
