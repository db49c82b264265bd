import { describe, expect, it } from 'vitest';
import { Harness, MIN } from './harness.js';

const reset = (login: string, exists: boolean, ip = '203.0.113.7') => ({ name: 'users.password_reset', 'usr.login': login, 'usr.exists': exists, 'network.client.ip': ip });

describe('rule password-reset-enumeration (Datadog def-000-dth)', () => {
  it('6 distinct existing accounts from one address in 5 minutes → one Medium signal that blocks the address', async () => {
    const h = new Harness({ only: ['password-reset-enumeration'] });
    for (let i = 0; i < 6; i++) {
      await h.send(reset(`user${i}@example.com`, true));
      h.clock.advance(40_000);
    }
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'medium' })]);
    const change = h.changes[0]!;
    expect(change.kind).toBe('opened');
    expect(change.signal.group).toEqual({ 'network.client.ip': '203.0.113.7' });
    expect(change.signal.evidence.counts['existing accounts']).toEqual({ count: 6, distinct: 6 });
    expect(change.signal.evidence.values).toHaveLength(6);
    expect(h.responses.map((r) => r.response.kind)).toEqual(['block_ip', 'notify']);
    expect(h.responses[0]).toMatchObject({ ip: '203.0.113.7', response: { forMs: 15 * MIN } });
  });

  it('6 distinct unknown accounts → Low, answered exactly as existing ones are (design §4.2: the answer is visible, the severity is not)', async () => {
    const h = new Harness({ only: ['password-reset-enumeration'] });
    for (let i = 0; i < 6; i++) {
      await h.send(reset(`nobody${i}@example.com`, false));
      h.clock.advance(40_000);
    }
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'low' })]);
    expect(h.changes[0]!.signal.evidence.counts['unknown accounts']).toEqual({ count: 6, distinct: 6 });
    expect(h.responses.map((r) => r.response.kind)).toEqual(['block_ip', 'notify']);
    expect(h.responses[0]).toMatchObject({ ip: '203.0.113.7', response: { forMs: 15 * MIN } });
  });

  it('3 existing and 3 unknown accounts → the same answer; Info, since neither of Datadog\'s cases holds', async () => {
    const h = new Harness({ only: ['password-reset-enumeration'] });
    for (let i = 0; i < 3; i++) {
      await h.send(reset(`user${i}@example.com`, true));
      await h.send(reset(`nobody${i}@example.com`, false));
    }
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'info' })]);
    expect(h.changes[0]!.signal.case).toBe('any accounts');
    expect(h.responses.map((r) => r.response.kind)).toEqual(['block_ip', 'notify']);
  });

  it('5 distinct accounts → nothing (the threshold is "more than 5")', async () => {
    const h = new Harness({ only: ['password-reset-enumeration'] });
    for (let i = 0; i < 5; i++) await h.send(reset(`user${i}@example.com`, true));
    expect(h.changes).toEqual([]);
  });

  it('the same account 6 times → nothing (distinct accounts count)', async () => {
    const h = new Harness({ only: ['password-reset-enumeration'] });
    for (let i = 0; i < 6; i++) await h.send(reset('user@example.com', true));
    expect(h.changes).toEqual([]);
  });

  it('6 accounts spread over 6 minutes → nothing (never more than 5 in any 5 minutes)', async () => {
    const h = new Harness({ only: ['password-reset-enumeration'] });
    for (let i = 0; i < 6; i++) {
      await h.send(reset(`user${i}@example.com`, true));
      h.clock.advance(72_000);
    }
    expect(h.changes).toEqual([]);
  });

  it('20 accounts → one signal, not several', async () => {
    const h = new Harness({ only: ['password-reset-enumeration'] });
    for (let i = 0; i < 20; i++) {
      await h.send(reset(`user${i}@example.com`, true));
      h.clock.advance(5_000);
    }
    expect(h.signals()).toHaveLength(1);
    expect(h.responses.filter((r) => r.response.kind === 'block_ip')).toHaveLength(1);
  });

  it('6 from each of two addresses → two signals, one per address', async () => {
    const h = new Harness({ only: ['password-reset-enumeration'] });
    for (let i = 0; i < 6; i++) {
      await h.send(reset(`a${i}@example.com`, true, '198.51.100.1'));
      await h.send(reset(`b${i}@example.com`, true, '198.51.100.2'));
    }
    expect(h.signals()).toHaveLength(2);
  });

  it('unknown then existing accounts: Low escalates to Medium on the same signal, and never drops back', async () => {
    const h = new Harness({ only: ['password-reset-enumeration'] });
    for (let i = 0; i < 6; i++) await h.send(reset(`nobody${i}@example.com`, false));
    for (let i = 0; i < 6; i++) await h.send(reset(`user${i}@example.com`, true));
    h.clock.advance(6 * MIN);
    for (let i = 0; i < 12; i++) await h.send(reset(`again${i}@example.com`, false));
    const ids = new Set(h.changes.map((c) => c.signal.id));
    expect(ids.size).toBe(1);
    expect(h.changes.map((c) => c.kind).slice(0, 2)).toEqual(['opened', 'escalated']);
    expect(h.changes.map((c) => c.signal.case).slice(0, 2)).toEqual(['unknown accounts', 'existing accounts']);
    expect(h.changes.at(-1)!.signal.severity).toBe('medium');
    // One answer for the signal: escalating the severity does not answer again.
    expect(h.responses.map((r) => r.response.kind)).toEqual(['block_ip', 'notify']);
  });

  it('a match after the keep-alive has passed opens a new signal', async () => {
    const h = new Harness({ only: ['password-reset-enumeration'] });
    for (let i = 0; i < 6; i++) await h.send(reset(`user${i}@example.com`, true));
    h.clock.advance(61 * MIN);
    for (let i = 0; i < 6; i++) await h.send(reset(`later${i}@example.com`, true));
    expect(h.signals()).toHaveLength(2);
  });
});
