import { describe, expect, it } from 'vitest';
import { Harness, MIN } from './harness.js';

const IP = '203.0.113.9';
const failure = (login: string, exists = true, ip = IP) => ({ name: 'users.login.failure', 'usr.login': login, 'usr.exists': exists, 'network.client.ip': ip });
const success = (login: string, ip = IP) => ({ name: 'users.login.success', 'usr.login': login, 'usr.id': 'id-' + login, 'usr.exists': true, 'network.client.ip': ip });

describe('rule credential-stuffing (Datadog def-000-yk4)', () => {
  it('more than 30 failures across more than 5 accounts from one address → Low', async () => {
    const h = new Harness({ only: ['credential-stuffing'] });
    for (let i = 0; i < 31; i++) await h.send(failure(`u${i % 6}@example.com`));
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'low' })]);
  });

  it('31 failures on 5 accounts → nothing; 30 failures on 30 accounts → nothing', async () => {
    const a = new Harness({ only: ['credential-stuffing'] });
    for (let i = 0; i < 31; i++) await a.send(failure(`u${i % 5}@example.com`));
    expect(a.changes).toEqual([]);
    const b = new Harness({ only: ['credential-stuffing'] });
    for (let i = 0; i < 30; i++) await b.send(failure(`u${i}@example.com`));
    expect(b.changes).toEqual([]);
  });

  it('a success from that address while the signal lives → Critical on the same signal, blocking the address', async () => {
    const h = new Harness({ only: ['credential-stuffing'] });
    for (let i = 0; i < 31; i++) await h.send(failure(`u${i}@example.com`));
    h.clock.advance(MIN);
    await h.send(success('u7@example.com'));
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'critical' })]);
    expect(h.changes.at(-1)!.kind).toBe('escalated');
    expect(h.changes.at(-1)!.signal.evidence.events.at(-1)!['usr.login']).toBe('u7@example.com');
    expect(h.responses.map((r) => r.response.kind)).toEqual(['raise_pow', 'block_ip', 'notify']);
  });

  it('a success without a live signal is nothing, and does not count later', async () => {
    const h = new Harness({ only: ['credential-stuffing'] });
    await h.send(success('u1@example.com'));
    for (let i = 0; i < 31; i++) await h.send(failure(`u${i}@example.com`));
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'low' })]);
  });
});

describe('rule brute-force (Datadog def-000-0f4)', () => {
  it('more than 40 failures on one account from many addresses → Low; then a success → Critical', async () => {
    const h = new Harness({ only: ['brute-force'] });
    for (let i = 0; i < 40; i++) await h.send(failure('victim@example.com', true, `198.51.100.${i}`));
    expect(h.changes).toEqual([]);
    await h.send(failure('victim@example.com', true, '198.51.100.200'));
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'low' })]);
    expect(h.changes[0]!.signal.group).toEqual({ 'usr.login': 'victim@example.com' });
    await h.send(success('victim@example.com', '198.51.100.201'));
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'critical' })]);
    expect(h.responses.find((r) => r.response.kind === 'block_ip')?.ip).toBe('198.51.100.201');
  });

  it('41 failures over 20 minutes → nothing (window of 10 minutes)', async () => {
    const h = new Harness({ only: ['brute-force'] });
    for (let i = 0; i < 41; i++) {
      await h.send(failure('victim@example.com'));
      h.clock.advance(30_000);
    }
    expect(h.changes).toEqual([]);
  });
});

describe('rule login-enumeration', () => {
  it('more than 10 distinct unknown logins from one address in 5 minutes → Low, and proof-of-work ×4 for an hour', async () => {
    const h = new Harness({ only: ['login-enumeration'] });
    for (let i = 0; i < 10; i++) await h.send(failure(`ghost${i}@example.com`, false));
    expect(h.changes).toEqual([]);
    await h.send(failure('ghost10@example.com', false));
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'low' })]);
    expect(h.responses).toEqual([expect.objectContaining({ ip: IP, response: { kind: 'raise_pow', forMs: 60 * MIN, factor: 4 } })]);
  });

  it('failures on existing accounts do not make it Low, but get the same answer at the same moment (design §4.2)', async () => {
    const h = new Harness({ only: ['login-enumeration'] });
    for (let i = 0; i < 10; i++) await h.send(failure(`real${i}@example.com`, true));
    expect(h.changes).toEqual([]);
    await h.send(failure('real10@example.com', true));
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'info' })]);
    expect(h.responses).toEqual([expect.objectContaining({ ip: IP, response: { kind: 'raise_pow', forMs: 60 * MIN, factor: 4 } })]);
    for (let i = 11; i < 20; i++) await h.send(failure(`real${i}@example.com`, true));
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'info' })]);
  });
});

describe('rule excessive-signups (Datadog bl-signup-ratelimit)', () => {
  it('more than 5 sign-ups from one address in 5 minutes → Medium; 5 → nothing', async () => {
    const h = new Harness({ only: ['excessive-signups'] });
    for (let i = 0; i < 5; i++) await h.send({ name: 'users.signup', 'usr.login': `n${i}@example.com`, 'network.client.ip': IP });
    expect(h.changes).toEqual([]);
    await h.send({ name: 'users.signup', 'usr.login': 'n5@example.com', 'network.client.ip': IP });
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'medium' })]);
  });
});

describe('rule reset-flooding', () => {
  it('more than 5 reset requests for one account in an hour, from anywhere → Medium', async () => {
    const h = new Harness({ only: ['reset-flooding'] });
    for (let i = 0; i < 5; i++) {
      await h.send({ name: 'users.password_reset', 'usr.login': 'victim@example.com', 'usr.exists': true, 'network.client.ip': `192.0.2.${i}` });
      h.clock.advance(10 * MIN);
    }
    expect(h.changes).toEqual([]);
    await h.send({ name: 'users.password_reset', 'usr.login': 'victim@example.com', 'usr.exists': true, 'network.client.ip': '192.0.2.99' });
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'medium' })]);
  });

  it('6 requests spread over 75 minutes → nothing', async () => {
    const h = new Harness({ only: ['reset-flooding'] });
    for (let i = 0; i < 6; i++) {
      await h.send({ name: 'users.password_reset', 'usr.login': 'victim@example.com', 'network.client.ip': IP });
      h.clock.advance(15 * MIN);
    }
    expect(h.changes).toEqual([]);
  });
});

describe('rule bots', () => {
  it('more than 3 honeypot trips or failed proofs-of-work from one address in 10 minutes → Low', async () => {
    const h = new Harness({ only: ['bots'] });
    await h.send({ name: 'hush.guard.honeypot', 'network.client.ip': IP });
    await h.send({ name: 'hush.guard.pow_failure', 'network.client.ip': IP });
    await h.send({ name: 'hush.guard.honeypot', 'network.client.ip': IP });
    expect(h.changes).toEqual([]);
    await h.send({ name: 'hush.guard.pow_failure', 'network.client.ip': IP });
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'low' })]);
    expect(h.responses[0]).toMatchObject({ ip: IP, response: { kind: 'raise_pow', factor: 8 } });
  });
});

describe('anomaly rules (reset-spike, login-failure-spike)', () => {
  /** A steady background of `perMinute` events of `name` for `minutes`, spread over many addresses. */
  async function background(h: Harness, name: string, perMinute: number, minutes: number): Promise<void> {
    for (let m = 0; m < minutes; m++) {
      for (let i = 0; i < perMinute; i++) {
        await h.send({ name, 'usr.login': `bg${m}-${i}@example.com`, 'usr.exists': true, 'network.client.ip': `10.0.${m % 250}.${i % 250}` });
        h.clock.advance(60_000 / perMinute);
      }
    }
  }

  it('a burst of reset requests far above the learned rate → Medium; the same rate as usual → nothing', async () => {
    const h = new Harness({ only: ['reset-spike'] });
    await background(h, 'users.password_reset', 4, 90);
    expect(h.changes).toEqual([]);
    for (let i = 0; i < 120; i++) await h.send({ name: 'users.password_reset', 'usr.login': `spike${i}@example.com`, 'network.client.ip': `172.16.${i % 200}.1` });
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'medium', ruleId: 'reset-spike' })]);
    expect(h.changes[0]!.signal.group).toEqual({});
    expect(h.changes[0]!.signal.evidence.counts.spike!.expected).toBeGreaterThan(10);
  });

  it('nothing fires while the baseline is still learning (the first hour)', async () => {
    const h = new Harness({ only: ['login-failure-spike'] });
    await background(h, 'users.login.failure', 2, 30);
    for (let i = 0; i < 500; i++) await h.send(failure(`x${i}@example.com`, false, `172.16.${i % 200}.2`));
    expect(h.changes).toEqual([]);
  });

  it('login failures four times above a busy baseline but under min_events → nothing', async () => {
    const h = new Harness({ only: ['login-failure-spike'] });
    await background(h, 'users.login.failure', 1, 80);
    for (let i = 0; i < 60; i++) await h.send(failure(`x${i}@example.com`, false, `172.16.${i % 200}.3`));
    expect(h.changes).toEqual([]);
    for (let i = 0; i < 60; i++) await h.send(failure(`y${i}@example.com`, false, `172.16.${i % 200}.3`));
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'medium' })]);
  });
});
