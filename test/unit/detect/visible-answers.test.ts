import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccountEvent } from '../../../src/core/event.js';
import { defaultRulesDir, loadRules } from '../../../src/detect/load-rules.js';
import { Harness, MIN } from './harness.js';

/**
 * Design §4.2 at the engine: two worlds that differ only in which accounts
 * exist see the same events bar `usr.exists` and `usr.id`; every shipped rule
 * must then answer the attacker (block_ip, raise_pow: what it can observe) in
 * the same way, at the same moment, in both. Severity may differ.
 */

const LOGINS = Array.from({ length: 12 }, (_, i) => `candidate${i}@example.com`);
const IPS = ['203.0.113.7', '203.0.113.8'];

type Step = { kind: 'users.password_reset' | 'users.login.failure'; login: number; ip: number } | { kind: 'advance'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('users.password_reset' as const), login: fc.nat(LOGINS.length - 1), ip: fc.nat(IPS.length - 1) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('users.login.failure' as const), login: fc.nat(LOGINS.length - 1), ip: fc.nat(IPS.length - 1) }) },
  // Mostly short waits, so that windows fill past their thresholds; now and then one past a window, a block or a keep-alive.
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 20_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 70 * MIN }) }),
    }),
  },
);

/** The event as a world where `exists[login]` says which accounts exist would record it. */
function eventIn(exists: readonly boolean[], s: Extract<Step, { login: number }>): Partial<AccountEvent> & { name: string } {
  const real = exists[s.login] === true;
  return { name: s.kind, 'usr.login': LOGINS[s.login], 'usr.exists': real, ...(real ? { 'usr.id': `id-${s.login}` } : {}), 'network.client.ip': IPS[s.ip] };
}

/** What the attacker can observe of a response: which, for whom, how long, how hard; `notify` is the owner's and left out. */
function visible(h: Harness, from: number): string[] {
  return h.responses
    .slice(from)
    .filter((r) => r.response.kind === 'block_ip' || r.response.kind === 'raise_pow')
    .map(({ rule, ip, response: x }) => (x.kind === 'notify' ? '' : `${rule.id} ${x.kind} ${ip ?? '-'} ${x.forMs}ms${x.kind === 'raise_pow' ? ` ×${x.factor}` : ''}`));
}

/** Loaded once: rules are data, each harness keeps its own state. */
const RULES = loadRules([defaultRulesDir()]);

async function run(steps: readonly Step[], worldA: readonly boolean[], worldB: readonly boolean[]): Promise<void> {
  const a = new Harness({ rules: RULES, seed: 7 });
  const b = new Harness({ rules: RULES, seed: 7 });
  for (const [i, s] of steps.entries()) {
    if (s.kind === 'advance') {
      a.clock.advance(s.ms);
      b.clock.advance(s.ms);
      continue;
    }
    const [ra, rb] = [a.responses.length, b.responses.length];
    await a.send(eventIn(worldA, s));
    await b.send(eventIn(worldB, s));
    expect(visible(a, ra), `step ${i}: ${JSON.stringify(s)}`).toEqual(visible(b, rb));
  }
}

describe('the shipped rules answer the attacker the same whether or not the accounts exist (design §4.2)', () => {
  it('six resets from one address: the same block whether the six accounts exist or not, though the severity differs', async () => {
    const steps: Step[] = LOGINS.slice(0, 6).map((_, login) => ({ kind: 'users.password_reset', login, ip: 0 }));
    await run(steps, LOGINS.map(() => true), LOGINS.map(() => false));
    const a = new Harness({ rules: RULES, only: ['password-reset-enumeration'] });
    const b = new Harness({ rules: RULES, only: ['password-reset-enumeration'] });
    for (const s of steps as Extract<Step, { login: number }>[]) {
      await a.send(eventIn(LOGINS.map(() => true), s));
      await b.send(eventIn(LOGINS.map(() => false), s));
    }
    expect([a.signals()[0]?.severity, b.signals()[0]?.severity]).toEqual(['medium', 'low']);
    expect(visible(a, 0)).toEqual(['password-reset-enumeration block_ip 203.0.113.7 900000ms']);
  });

  it('for any sequence of resets, failed logins and waits, and any two sets of existing accounts', async () => {
    const world = fc.array(fc.boolean(), { minLength: LOGINS.length, maxLength: LOGINS.length });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 120, size: 'max' }), world, world, async (steps, worldA, worldB) => {
        await run(steps, worldA, worldB);
      }),
      { numRuns: 200 },
    );
  });
});
