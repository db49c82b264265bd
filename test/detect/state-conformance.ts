import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore, StateTarget } from '../helpers/targets.js';
import { Harness, MIN } from '../unit/detect/harness.js';

/**
 * One suite for every DetectionState (the state targets: memory, Redis): the
 * same scripted events must raise the same signals, counts and responses on each.
 */
export function stateConformance(target: StateTarget): void {
  describe.skipIf(target.skip)(`detection state conformance: ${target.label}`, () => {
    // Each case takes a state of its own (store.detectionState()): the cases use the same keys.
    let store: StateStore;
    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(async () => {
      await store.close();
    });
    const reset = (login: string, exists: boolean, ip = '203.0.113.7') => ({ name: 'users.password_reset', 'usr.login': login, 'usr.exists': exists, 'network.client.ip': ip });

    it('counts distinct values exactly, fires once past the threshold, and keeps one signal', async () => {
      const state = store.detectionState();
      const h = new Harness({ only: ['password-reset-enumeration'], state });
      for (let i = 0; i < 5; i++) await h.send(reset(`u${i}@example.com`, true));
      expect(h.changes).toEqual([]);
      for (let i = 5; i < 20; i++) await h.send(reset(`u${i}@example.com`, true));
      expect(h.signals()).toEqual([expect.objectContaining({ severity: 'medium' })]);
      expect(h.changes[0]!.signal.evidence.counts['existing accounts']).toEqual({ count: 6, distinct: 6 });
      expect(h.changes[0]!.signal.evidence.values).toHaveLength(6);
      expect(h.responses.filter((r) => r.response.kind === 'block_ip')).toHaveLength(1);
      await state.close();
    });

    it('slides: events older than the window leave it', async () => {
      const state = store.detectionState();
      const h = new Harness({ only: ['password-reset-enumeration'], state });
      for (let i = 0; i < 6; i++) {
        await h.send(reset(`u${i}@example.com`, true));
        h.clock.advance(72_000);
      }
      expect(h.changes).toEqual([]);
      await state.close();
    });

    it('slides by whole buckets, and a group silent for longer than its window starts again from zero', async () => {
      const state = store.detectionState();
      const h = new Harness({ only: ['reset-flooding'], state });
      const rule = h.engine.rules[0]!;
      const count = async (): Promise<number> => (await h.engine.state.observe({ rule, key: 'reset-flooding\u0000victim@example.com', groupKey: 'victim@example.com', now: h.clock.now(), hits: [] })).counts[0]!.count;
      const flood = { name: 'users.password_reset', 'usr.login': 'victim@example.com', 'network.client.ip': '192.0.2.9' };
      // The window is an hour in 30 buckets of 2 minutes.
      for (let i = 0; i < 3; i++) await h.send(flood);
      h.clock.advance(40 * MIN);
      for (let i = 0; i < 2; i++) await h.send(flood);
      expect(await count()).toBe(5);
      h.clock.advance(30 * MIN);
      expect(await count()).toBe(2);
      // Silent for two windows, from every position of the ring: nothing of before is left.
      for (let k = 0; k < 30; k++) {
        h.clock.advance(2 * 60 * MIN + 2 * MIN);
        expect(await count()).toBe(0);
        await h.send(flood);
        expect(await count()).toBe(1);
      }
      expect(h.changes).toEqual([]);
      await state.close();
    });

    it('a value seen again counts once and stays while it is seen; one that left the window is neither counted nor sampled', async () => {
      const state = store.detectionState();
      const h = new Harness({ only: ['password-reset-enumeration'], state });
      const rule = h.engine.rules[0]!;
      const key = 'password-reset-enumeration\u0000203.0.113.7';
      const look = async (): Promise<[number, string[]]> => {
        const obs = await h.engine.state.observe({ rule, key, groupKey: '203.0.113.7', now: h.clock.now(), hits: [] });
        return [obs.counts[0]!.distinct, await h.engine.state.sample(rule, key, '203.0.113.7', 0, 20)];
      };
      await h.send(reset('a@example.com', true));
      h.clock.advance(4 * MIN);
      await h.send(reset('a@example.com', true));
      h.clock.advance(3 * MIN);
      // The first sighting left the 5-minute window; the second keeps the value in it.
      expect(await look()).toEqual([1, ['a@example.com']]);
      h.clock.advance(6 * MIN);
      expect(await look()).toEqual([0, []]);
      await h.send(reset('b@example.com', true));
      await h.send(reset('c@example.com', true));
      await h.send(reset('b@example.com', true));
      // Values of one bucket may come in any order (Redis sorts them by name).
      const [distinct, values] = await look();
      expect([distinct, [...values].sort()]).toEqual([2, ['b@example.com', 'c@example.com']]);
      await state.close();
    });

    it('escalates, never drops, and reports a live signal at most every 10 s', async () => {
      const state = store.detectionState();
      const h = new Harness({ only: ['credential-stuffing'], state });
      for (let i = 0; i < 40; i++) await h.send({ name: 'users.login.failure', 'usr.login': `u${i}@example.com`, 'usr.exists': true, 'network.client.ip': '198.51.100.4' });
      expect(h.changes.map((c) => c.kind)).toEqual(['opened']);
      h.clock.advance(11_000);
      await h.send({ name: 'users.login.failure', 'usr.login': 'u1@example.com', 'usr.exists': true, 'network.client.ip': '198.51.100.4' });
      await h.send({ name: 'users.login.success', 'usr.login': 'u1@example.com', 'usr.exists': true, 'network.client.ip': '198.51.100.4' });
      await h.send({ name: 'users.login.failure', 'usr.login': 'u2@example.com', 'usr.exists': true, 'network.client.ip': '198.51.100.4' });
      expect(h.changes.map((c) => [c.kind, c.signal.severity])).toEqual([['opened', 'low'], ['updated', 'low'], ['escalated', 'critical']]);
      expect(new Set(h.changes.map((c) => c.signal.id)).size).toBe(1);
      await state.close();
    });

    it('closes after keep-alive and after the maximum duration, then opens anew', async () => {
      const state = store.detectionState();
      const h = new Harness({ only: ['bots'], state });
      const bot = { name: 'hush.guard.honeypot', 'network.client.ip': '192.0.2.55' };
      for (let i = 0; i < 4; i++) await h.send(bot);
      // Keep matching every 9 minutes (inside the 1h keep-alive and the 10 min window) for 25 hours.
      for (let t = 0; t < 25 * 60; t += 9) {
        h.clock.advance(9 * MIN);
        for (let i = 0; i < 4; i++) await h.send(bot);
      }
      expect(h.signals('bots').length).toBe(2);
      h.clock.advance(2 * 60 * MIN);
      for (let i = 0; i < 4; i++) await h.send(bot);
      expect(h.signals('bots').length).toBe(3);
      await state.close();
    });

    it('re-runs a timed response once it has lapsed while the signal lives', async () => {
      const state = store.detectionState();
      const h = new Harness({ only: ['password-reset-enumeration'], state });
      for (let i = 0; i < 6; i++) await h.send(reset(`u${i}@example.com`, true));
      h.clock.advance(16 * MIN);
      for (let i = 0; i < 6; i++) await h.send(reset(`v${i}@example.com`, true));
      const blocks = h.responses.filter((r) => r.response.kind === 'block_ip');
      const notifies = h.responses.filter((r) => r.response.kind === 'notify');
      expect(blocks).toHaveLength(2);
      expect(notifies).toHaveLength(2);
      await state.close();
    });

    it('learns a baseline and flags an app-wide spike', async () => {
      const state = store.detectionState();
      const h = new Harness({ only: ['reset-spike'], state });
      for (let m = 0; m < 80; m++) {
        for (let i = 0; i < 3; i++) {
          await h.send({ name: 'users.password_reset', 'usr.login': `bg${m}-${i}`, 'network.client.ip': `10.1.${m}.${i}` });
          h.clock.advance(20_000);
        }
      }
      expect(h.changes).toEqual([]);
      for (let i = 0; i < 100; i++) await h.send({ name: 'users.password_reset', 'usr.login': `s${i}`, 'network.client.ip': `10.2.0.${i}` });
      expect(h.signals()).toEqual([expect.objectContaining({ severity: 'medium' })]);
      const spike = h.changes[0]!.signal.evidence.counts.spike!;
      expect(spike.expected).toBeGreaterThan(10);
      expect(spike.expected).toBeLessThan(25);
      await state.close();
    });

    it('past the exact cap, distinct counts go on approximately (HyperLogLog, within 5 %)', async () => {
      const state = store.detectionState();
      const h = new Harness({ only: ['password-reset-enumeration'], state });
      for (let i = 0; i < 3000; i++) await h.send(reset(`many${i}@example.com`, false, '192.0.2.200'));
      h.clock.advance(10_000);
      await h.send({ ...reset('last@example.com', false, '192.0.2.200') });
      const found = await h.engine.state.observe({ rule: h.engine.rules[0]!, key: 'password-reset-enumeration\u0000192.0.2.200', groupKey: '192.0.2.200', now: h.clock.now(), hits: [] });
      expect(found.counts[1]!.count).toBe(3001);
      expect(Math.abs(found.counts[1]!.distinct - 3001) / 3001).toBeLessThan(0.05);
      await state.close();
    });
  });
}
