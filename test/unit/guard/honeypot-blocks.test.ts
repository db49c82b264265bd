import { describe, expect, it } from 'vitest';
import { normalizeCidr } from '../../../src/guard/block-list.js';
import { guardInput } from '../../helpers/guard-input.js';
import { metricValue, rig } from './fixture.js';

const NO_POW = { HUSH_POW: 'off' };

describe('honeypot', () => {
  it.each([
    ['website', true],
    ['company', false], // the guard pointed at another field: the same request must now pass (teeth)
  ])('field %s: a filled "website" is silent, recorded and counted', async (field, trips) => {
    const { guards, events, registry } = await rig({ env: { ...NO_POW, HUSH_HONEYPOT_FIELD: field } });
    const v = await guards.check(guardInput({ fields: { website: 'http://spam.example' } }));
    expect(v.kind === 'silent' && v.guard === 'honeypot').toBe(trips);
    expect(events.named('hush.guard.honeypot')).toHaveLength(trips ? 1 : 0);
    expect(await metricValue(registry, 'hush_guard_verdicts_total', { guard: 'honeypot' })).toBe(trips ? 1 : 0);
  });

  it('an empty field passes; a trip counts 5 against the address', async () => {
    const { guards } = await rig({ env: NO_POW });
    expect((await guards.check(guardInput({ fields: { website: '' } }))).kind).toBe('pass');
    for (let i = 0; i < 3; i++) await guards.check(guardInput({ fields: { website: 'x' }, identifier: `bot${i}@example.com` }));
    // 1 + 3 × 5 = 16 of 20: four more requests pass, the fifth is over.
    const kinds: string[] = [];
    for (let i = 0; i < 5; i++) kinds.push((await guards.check(guardInput({ identifier: `p${i}@example.com` }))).kind);
    expect(kinds).toEqual(['pass', 'pass', 'pass', 'pass', 'silent']);
  });

  it('the event carries the identifier, the address and the action, never the field value', async () => {
    const { guards, events } = await rig({ env: NO_POW });
    await guards.check(guardInput({ fields: { website: 'secret-ish' }, userAgent: 'bot/1.0' }));
    const e = events.named('hush.guard.honeypot')[0]!;
    expect(e['usr.login']).toBe('alice@example.com');
    expect(e['network.client.ip']).toBe('203.0.113.7');
    expect(e['http.useragent']).toBe('bot/1.0');
    expect(e.attrs).toEqual({ action: 'recovery' });
    expect(JSON.stringify(e)).not.toContain('secret-ish');
  });
});

describe('block list', () => {
  it.each([[true], [false]])('a blocked address gets a silent verdict on every action (blocked: %s)', async (block) => {
    const { guards, events } = await rig({ env: NO_POW });
    if (block) await guards.blockIp({ cidr: '203.0.113.0/24', durationMs: 60_000, reason: 'test', source: 'test' });
    for (const action of ['recovery', 'signup', 'magic-link', 'login', 'confirm'] as const) {
      const v = await guards.check(guardInput({ action }));
      expect(v.kind === 'silent' && v.guard === 'blocked').toBe(block);
    }
    expect(events.named('hush.guard.blocked')).toHaveLength(block ? 5 : 0);
    expect((await guards.check(guardInput({ address: '198.51.100.1' }))).kind).toBe('pass');
  });

  it('expires on the injected clock', async () => {
    const { guards, clock, registry } = await rig({ env: NO_POW });
    await guards.blockIp({ cidr: '203.0.113.7', durationMs: 60 * 60_000, reason: 'test', source: 'cli' });
    expect(await metricValue(registry, 'hush_guard_blocks')).toBe(1);
    clock.advance(60 * 60_000 - 1);
    expect((await guards.check(guardInput())).kind).toBe('silent');
    clock.advance(1);
    expect((await guards.check(guardInput())).kind).toBe('pass');
    expect(await guards.listBlocks()).toEqual([]);
  });

  it('a bare IPv6 address blocks its /64; removal lifts the block', async () => {
    const { guards } = await rig({ env: NO_POW });
    const b = await guards.blockIp({ cidr: '2001:db8:1:2::42', durationMs: 60_000, reason: 'test', source: 'admin' });
    expect(b.cidr).toBe('2001:db8:1:2::/64');
    expect((await guards.check(guardInput({ address: '2001:db8:1:2:ffff::1' }))).kind).toBe('silent');
    expect((await guards.check(guardInput({ address: '2001:db8:1:3::1' }))).kind).toBe('pass');
    expect(await guards.unblock(b.id)).toBe(true);
    expect((await guards.check(guardInput({ address: '2001:db8:1:2:ffff::1' }))).kind).toBe('pass');
  });

  it('refuses values that are not addresses or ranges', async () => {
    const { guards } = await rig({ env: NO_POW });
    await expect(guards.blockIp({ cidr: 'example.com', durationMs: 1000, reason: '', source: 'x' })).rejects.toThrow(/not an IP/);
    expect(normalizeCidr('10.0.0.0/33')).toBeNull();
    expect(normalizeCidr('10.1.2.3/8')).toBe('10.0.0.0/8');
    expect(normalizeCidr('2001:db8::1/32')).toBe('2001:db8::/32');
    expect(normalizeCidr('::ffff:10.0.0.1')).toBe('10.0.0.1/32');
  });
});
