import { describe, expect, it } from 'vitest';
import type { GuardInput } from '../../../src/guard/guards.js';
import { guardInput } from '../../helpers/guard-input.js';
import { metricValue, rig, solve } from './fixture.js';

describe('proof-of-work', () => {
  it('accepts a solved challenge once; a replay is refused', async () => {
    const { guards, events } = await rig();
    const pow = await solve(await guards.powChallenge('recovery', '203.0.113.7'));
    expect((await guards.check(guardInput({ fields: { pow } }))).kind).toBe('pass');
    const again = await guards.check(guardInput({ fields: { pow } }));
    expect(again.kind).toBe('reject');
    if (again.kind === 'reject') {
      expect(again.error.code).toBe('HUSH_POW_INVALID');
      expect(again.error.status).toBe(400);
      expect(again.error.details[0]?.reason).toMatch(/already been used/);
    }
    expect(events.named('hush.guard.pow_failure')[0]?.attrs?.reason).toBe('replayed');
  });

  it('a missing solution gets 400 HUSH_POW_REQUIRED; with HUSH_POW=off the same request passes', async () => {
    const on = await rig();
    const v = await on.guards.check(guardInput());
    expect(v.kind === 'reject' && v.error.code).toBe('HUSH_POW_REQUIRED');
    const off = await rig({ env: { HUSH_POW: 'off' } });
    expect((await off.guards.check(guardInput())).kind).toBe('pass');
  });

  it('refuses an expired challenge (5 minutes, on the injected clock)', async () => {
    const { guards, clock } = await rig();
    const pow = await solve(await guards.powChallenge('recovery', '203.0.113.7'));
    clock.advance(5 * 60_000 + 1000);
    const v = await guards.check(guardInput({ fields: { pow } }));
    expect(v.kind === 'reject' && v.error.details[0]?.reason).toMatch(/expired/);
  });

  it('refuses a challenge issued for another action', async () => {
    const { guards } = await rig();
    const pow = await solve(await guards.powChallenge('signup', '203.0.113.7'));
    const v = await guards.check(guardInput({ fields: { pow } }));
    expect(v.kind === 'reject' && v.error.details[0]?.reason).toMatch(/another action/);
  });

  it('refuses a challenge whose signed fields were changed, or signed by another instance', async () => {
    const { guards } = await rig();
    const challenge = (await guards.powChallenge('signup', '203.0.113.7'));
    const tampered = { ...challenge, parameters: { ...challenge.parameters, data: { ...challenge.parameters.data, action: 'recovery' } } };
    const v = await guards.check(guardInput({ fields: { pow: await solve(tampered) } }));
    expect(v.kind === 'reject' && v.error.code).toBe('HUSH_POW_INVALID');
    const other = await rig({ env: { HUSH_SECRET: 'another-secret-another-secret-another-1' } });
    const foreign = await solve(await other.guards.powChallenge('recovery', '203.0.113.7'));
    const w = await guards.check(guardInput({ fields: { pow: foreign } }));
    expect(w.kind === 'reject' && w.error.details[0]?.reason).toMatch(/not solve a challenge issued/);
    expect((await guards.check(guardInput({ fields: { pow: 'not base64 json' } }))).kind).toBe('reject');
  });

  it('a failed solution counts 5 against the address (4 bad ones and the address is spent)', async () => {
    const { guards } = await rig();
    for (let i = 0; i < 4; i++) expect((await guards.check(guardInput({ fields: { pow: 'garbage' } }))).kind).toBe('reject');
    // 4 × 5 = 20 points: the next paid request from this address is over the recovery limit.
    const pow = await solve(await guards.powChallenge('recovery', '203.0.113.7'));
    const v = await guards.check(guardInput({ fields: { pow } }));
    expect(v).toEqual({ kind: 'silent', guard: 'rate_limit' });
  });

  it('raises the difficulty after guard hits and by detection, per address', async () => {
    const { guards, clock, config } = await rig();
    const base = config.powDifficulty;
    expect(await guards.powDifficulty('203.0.113.7')).toBe(base);
    await guards.check(guardInput({ fields: { pow: 'garbage' } }));
    expect(await guards.powDifficulty('203.0.113.7')).toBe(base * 4);
    expect(await guards.powDifficulty('203.0.113.8')).toBe(base);
    await guards.raisePow('2001:db8::1', 10 * 60_000);
    expect(await guards.powDifficulty('2001:db8::99')).toBe(base * 16);
    const challenge = (await guards.powChallenge('recovery', '2001:db8::5'));
    expect(challenge.parameters.data?.difficulty).toBe(base * 16);
    clock.advance(10 * 60_000 + 1000);
    expect(await guards.powDifficulty('2001:db8::99')).toBe(base);
  });

  it('refuses a solution to an easier challenge than the client now needs', async () => {
    const { guards } = await rig();
    const easy = await solve(await guards.powChallenge('recovery', '203.0.113.7'));
    await guards.raisePow('203.0.113.7', 60_000);
    const v = await guards.check(guardInput({ fields: { pow: easy } }));
    expect(v.kind === 'reject' && v.error.details[0]?.reason).toMatch(/easier/);
  });

  it('login asks for it only after 3 failures from an address', async () => {
    const { guards, registry } = await rig();
    const login = (fields: Record<string, unknown> = {}): GuardInput => guardInput({ action: 'login', fields });
    for (let i = 0; i < 3; i++) {
      expect((await guards.check(login())).kind).toBe('pass');
      await guards.loginFailed('203.0.113.7', 'alice@example.com');
    }
    const v = await guards.check(login());
    expect(v.kind === 'reject' && v.error.code).toBe('HUSH_POW_REQUIRED');
    expect((await guards.check(guardInput({ action: 'login', address: '203.0.113.8' }))).kind).toBe('pass');
    const pow = await solve(await guards.powChallenge('login', '203.0.113.7'));
    expect((await guards.check(login({ pow }))).kind).toBe('pass');
    expect(await metricValue(registry, 'hush_guard_pow_verifications_total', { outcome: 'ok' })).toBe(1);
  });

  it('is not asked on endpoints left out of HUSH_POW_ENDPOINTS', async () => {
    const { guards } = await rig({ env: { HUSH_POW_ENDPOINTS: 'signup' } });
    expect((await guards.check(guardInput())).kind).toBe('pass');
    expect((await guards.check(guardInput({ action: 'signup' }))).kind).toBe('reject');
  });
});
