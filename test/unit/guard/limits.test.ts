import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../../src/guard/address.js';
import type { Verdict } from '../../../src/guard/guards.js';
import { guardInput } from '../../helpers/guard-input.js';
import { loggerInto } from '../../helpers/log.js';
import { rig } from './fixture.js';

const NO_POW = { HUSH_POW: 'off' };
/** Runs a limit scenario with limits on and off: off must make the assertion fail (the test has teeth). */
describe.each([
  ['on', true],
  ['off', false],
])('rate limits %s', (mode, enabled) => {
  const env = { ...NO_POW, HUSH_LIMITS: mode };
  const expectLimited = (kinds: string[], allowed: number): void => {
    const limited = kinds.slice(allowed).every((k) => k === 'silent');
    expect(kinds.slice(0, allowed).every((k) => k === 'pass')).toBe(true);
    expect(limited).toBe(enabled);
  };

  it('recovery: 5 per identifier per hour, unknown identifiers counted the same', async () => {
    const { guards, clock, events } = await rig({ env });
    for (const identifier of ['known@example.com', 'nobody-here@example.com']) {
      // Each from a fresh address, so only the identifier limit applies.
      const kinds: string[] = [];
      for (let i = 0; i < 6; i++) kinds.push((await guards.check(guardInput({ identifier, address: `198.51.100.${i + (identifier.startsWith('k') ? 0 : 50)}` }))).kind);
      expectLimited(kinds, 5);
    }
    expect(events.named('hush.guard.rate_limit')).toHaveLength(enabled ? 2 : 0);
    clock.advance(60 * 60_000 + 1);
    expect((await guards.check(guardInput({ identifier: 'known@example.com', address: '198.51.100.200' }))).kind).toBe('pass');
  });

  it('recovery: 20 per address per 10 minutes', async () => {
    const { guards, clock } = await rig({ env });
    const kinds: string[] = [];
    for (let i = 0; i < 21; i++) kinds.push((await guards.check(guardInput({ identifier: `u${i}@example.com` }))).kind);
    expectLimited(kinds, 20);
    clock.advance(10 * 60_000 + 1);
    expect((await guards.check(guardInput({ identifier: 'later@example.com' }))).kind).toBe('pass');
  });

  it('signup and magic-link: 10 per address per 10 minutes', async () => {
    const { guards } = await rig({ env });
    for (const action of ['signup', 'magic-link'] as const) {
      const kinds: string[] = [];
      for (let i = 0; i < 11; i++) kinds.push((await guards.check(guardInput({ action, identifier: `${action}${i}@example.com` }))).kind);
      expectLimited(kinds, 10);
    }
  });

  it('the whole app: HUSH_LIMIT_APP mail-sending requests per flow', async () => {
    const { guards, events } = await rig({ env: { ...env, HUSH_LIMIT_APP: '3/1m' } });
    const kinds: string[] = [];
    for (let i = 0; i < 4; i++) kinds.push((await guards.check(guardInput({ address: `192.0.2.${i}`, identifier: `app${i}@example.com` }))).kind);
    expectLimited(kinds, 3);
    expect(events.named('hush.guard.rate_limit').map((e) => e.attrs?.limit)).toEqual(enabled ? ['app'] : []);
    // Per flow: signup has its own budget.
    expect((await guards.check(guardInput({ action: 'signup', address: '192.0.2.9', identifier: 'x@example.com' }))).kind).toBe('pass');
  });

  it('IPv6 clients are limited per /64', async () => {
    const { guards } = await rig({ env });
    const kinds: string[] = [];
    for (let i = 0; i < 21; i++) kinds.push((await guards.check(guardInput({ address: `2001:db8:7:7::${(i + 1).toString(16)}`, identifier: `v6-${i}@example.com` }))).kind);
    expectLimited(kinds, 20);
  });

  it('a spoofed X-Forwarded-For does not change the address a limit counts', async () => {
    const { guards } = await rig({ env });
    const kinds: string[] = [];
    for (let i = 0; i < 21; i++) {
      const address = clientAddress('203.0.113.9', new Headers({ 'x-forwarded-for': `198.18.0.${i}` }), guards.trust);
      kinds.push((await guards.check(guardInput({ address, identifier: `xff${i}@example.com` }))).kind);
    }
    expectLimited(kinds, 20);
  });
});

describe('login throttle', () => {
  const env = { HUSH_POW: 'off' };
  it('429 after 10 failures per address and identifier, the same for unknown identifiers, with Retry-After', async () => {
    const { guards, clock, events } = await rig({ env });
    for (const identifier of ['known@example.com', 'unknown@example.com']) {
      const verdicts: Verdict[] = [];
      for (let i = 0; i < 11; i++) {
        const v = await guards.check(guardInput({ action: 'login', identifier }));
        verdicts.push(v);
        if (v.kind === 'pass') await guards.loginFailed('203.0.113.7', identifier);
      }
      expect(verdicts.slice(0, 10).every((v) => v.kind === 'pass')).toBe(true);
      const last = verdicts[10]!;
      expect(last.kind).toBe('throttle');
      if (last.kind === 'throttle') expect(last.retryAfterSeconds).toBeGreaterThan(0);
      if (last.kind === 'throttle') expect(last.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    }
    expect(events.named('hush.guard.throttle')).toHaveLength(2);
    clock.advance(15 * 60_000 + 1);
    expect((await guards.check(guardInput({ action: 'login', identifier: 'known@example.com' }))).kind).toBe('pass');
  });

  it('a success clears the failures of that account from that address', async () => {
    const { guards } = await rig({ env });
    for (let i = 0; i < 9; i++) await guards.check(guardInput({ action: 'login' }));
    await guards.loginSucceeded('203.0.113.7', 'alice@example.com');
    for (let i = 0; i < 10; i++) expect((await guards.check(guardInput({ action: 'login' }))).kind).toBe('pass');
  });

  it('100 attempts per address across identifiers, then 429', async () => {
    const { guards } = await rig({ env });
    for (let i = 0; i < 100; i++) expect((await guards.check(guardInput({ action: 'login', identifier: `u${i}@example.com` }))).kind).toBe('pass');
    expect((await guards.check(guardInput({ action: 'login', identifier: 'fresh@example.com' }))).kind).toBe('throttle');
  });

  it('is off with HUSH_LIMITS=off', async () => {
    const { guards } = await rig({ env: { ...env, HUSH_LIMITS: 'off' } });
    for (let i = 0; i < 12; i++) expect((await guards.check(guardInput({ action: 'login' }))).kind).toBe('pass');
  });
});

describe('token confirm endpoints', () => {
  it('30 per address per 10 minutes, then 429', async () => {
    const { guards } = await rig({ env: NO_POW });
    for (let i = 0; i < 30; i++) expect((await guards.check(guardInput({ action: 'confirm', identifier: null }))).kind).toBe('pass');
    expect((await guards.check(guardInput({ action: 'confirm', identifier: null }))).kind).toBe('throttle');
    expect((await guards.check(guardInput({ action: 'confirm', identifier: null, address: '203.0.113.8' }))).kind).toBe('pass');
  });
});

describe('HUSH_LIMITS=off', () => {
  it('says so in the log at start', async () => {
    const lines: string[] = [];
    const logger = loggerInto(lines, 'info');
    await rig({ env: { HUSH_LIMITS: 'off' }, logger });
    expect(lines.some((l) => l.includes('rate limits are OFF'))).toBe(true);
  });
});
