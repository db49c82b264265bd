import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/kernel/clock.js';
import { loadConfig } from '../../src/kernel/config.js';
import { silentLogger } from '../../src/kernel/log.js';
import { SeededRandom } from '../../src/kernel/random.js';
import { createDetectionService } from '../../src/detect/service.js';
import { RuleLoadError } from '../../src/detect/load-rules.js';
import { openMemoryDatabase } from '../../src/store/database.js';
import { createStores } from '../../src/hush.js';
import { testDatabase } from '../helpers/targets.js';

describe('createDetectionService', () => {
  it('wires rules, the stores it is handed, deliverers and metrics from the configuration', async () => {
    const handle = await testDatabase();
    const metrics = new Registry();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const stores = createStores(handle.db, { clock, random: new SeededRandom(1) });
    const service = createDetectionService({ config: loadConfig({}), stores, clock, random: new SeededRandom(1), logger: silentLogger(), secret: 's'.repeat(32), metrics });
    expect(service.deliverers.map((d) => d.kind)).toEqual(['event', 'webhook']);
    for (let i = 0; i < 6; i++) {
      await service.deliverers[0]!.deliver({ id: String(i), kind: 'event', payload: { name: 'users.password_reset', at: clock.now(), 'usr.login': `u${i}@x.test`, 'usr.exists': true, 'network.client.ip': '192.0.2.7' }, attempts: 1, createdAt: new Date(0) });
    }
    expect((await stores.signals.list()).signals).toHaveLength(1);
    expect((await stores.events.list()).length).toBe(6);
    const text = await metrics.metrics();
    expect(text).toContain('hush_detect_signal_changes_total{rule="password-reset-enumeration",severity="medium",kind="opened"} 1');
    expect(text).toMatch(/hush_detect_groups \d+/);
    expect(text).toContain('hush_detect_evictions 0');
    await service.close();
    await handle.close();
  });

  it('the event deliverer takes a run of rows at once: all stored and analysed, or none if one is bad', async () => {
    const handle = await testDatabase();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const stores = createStores(handle.db, { clock, random: new SeededRandom(1) });
    const service = createDetectionService({ config: loadConfig({}), stores, clock, random: new SeededRandom(1), logger: silentLogger(), secret: 's'.repeat(32) });
    const events = service.deliverers.find((d) => d.kind === 'event')!;
    const row = (i: number, payload: unknown) => ({ id: String(i), kind: 'event', payload, attempts: 1, createdAt: new Date(0) });
    const reset = (i: number) => ({ name: 'users.password_reset', at: clock.now(), 'usr.login': `u${i}@x.test`, 'usr.exists': true, 'network.client.ip': '192.0.2.7' });
    await expect(events.deliverMany!([row(0, reset(0)), row(1, { at: 1 })])).rejects.toThrow('event row without a name or time');
    expect(await stores.events.list()).toHaveLength(0);
    await events.deliverMany!(Array.from({ length: 6 }, (_, i) => row(i, reset(i))));
    expect(await stores.events.list()).toHaveLength(6);
    expect((await stores.signals.list()).signals.map((s) => s.severity)).toEqual(['medium']);
    await service.close();
    await handle.close();
  });

  it('a bad file in HUSH_RULES_DIR stops start-up with its problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-rules-'));
    writeFileSync(join(dir, 'x.yaml'), 'id: x\nname: x\nevents: [users.signup]\nwindow: 5m\ncases: [{ severity: low }]\n');
    const handle = await openMemoryDatabase();
    expect(() => createDetectionService({ config: loadConfig({ HUSH_RULES_DIR: dir }), stores: {}, clock: new ManualClock(), random: new SeededRandom(1), logger: silentLogger(), secret: 's'.repeat(32) })).toThrow(RuleLoadError);
    await handle.close();
  });
});
