import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/kernel/log.js';
import { SeededRandom } from '../../src/kernel/random.js';
import { systemClock } from '../../src/kernel/clock.js';
import { Detection, eventDeliverer } from '../../src/detect/detection.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import { defaultRulesDir, loadRules } from '../../src/detect/load-rules.js';
import { MemoryState } from '../../src/detect/memory-state.js';
import { guardsResponder } from '../../src/detect/responder.js';
import { observable, testHush, tokenOf } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';

/**
 * A response really answers (issue 5): after the enumeration signal with
 * block_ip, the next reset request from that address sends no mail and still
 * gets the same reply. The whole server: real flows write their events to
 * the outbox, the `event` deliverer feeds detection, the responder puts the
 * address on the guards' block list. The block is the rule's answer whether
 * or not the accounts exist (issue 13; visible-responses.test.ts compares the
 * two worlds); only the severity, Medium here, says that they did.
 */
describe('a block_ip response answers the attacker, silently', () => {
  let t: TestHush;
  let detection: Detection;
  const ATTACKER = '203.0.113.66';
  const accounts = Array.from({ length: 7 }, (_, i) => `victim${i}@example.com`);

  beforeAll(async () => {
    t = await testHush({ HUSH_LIMITS: 'off' });
    for (const [i, email] of accounts.entries()) {
      await t.request('/v1/signup', { json: { email, password: `a long passphrase ${i}` } }, `192.0.2.${i + 1}`);
      await t.request('/v1/verify', { json: { token: tokenOf(await t.linkFor(email, '/verify#')) } }, `192.0.2.${i + 1}`);
    }
    detection = new Detection({
      engine: new DetectionEngine({ rules: loadRules([defaultRulesDir()]), state: new MemoryState(), clock: systemClock, random: new SeededRandom(5) }),
      logger: silentLogger(),
      events: t.hush.stores.events,
      signals: t.hush.stores.signals,
      responder: guardsResponder(t.hush.guards),
    });
  });
  afterAll(async () => t.close());

  /** Delivers the queued `event` outbox rows to detection, as the outbox worker does with eventDeliverer. */
  async function feedEvents(): Promise<void> {
    const deliverer = eventDeliverer(detection);
    const rows = await t.hush.database.db.selectFrom('outbox').selectAll().where('kind', '=', 'event').where('delivered_at', 'is', null).orderBy('created_at').execute();
    for (const row of rows) {
      await deliverer.deliver({ id: row.id, kind: row.kind, payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload, attempts: 1, createdAt: new Date(row.created_at) });
      await t.hush.database.db.updateTable('outbox').set({ delivered_at: new Date() }).where('id', '=', row.id).execute();
    }
  }

  it('6 resets for 6 existing accounts from one address → Medium signal, address blocked; the 7th sends no mail and gets the same reply', async () => {
    await feedEvents();
    const before = (await t.mailbox()).length;
    const replies = [];
    for (const email of accounts.slice(0, 6)) replies.push(await observable(await t.request('/v1/recovery', { json: { email } }, ATTACKER)));
    await feedEvents();
    const signals = await t.hush.stores.signals.list({ ruleId: 'password-reset-enumeration' });
    expect(signals.signals.map((s) => [s.severity, s.group['network.client.ip']])).toEqual([['medium', ATTACKER]]);
    expect((await t.hush.guards.listBlocks()).map((b) => b.cidr)).toContain(`${ATTACKER}/32`);
    // Six reset mails went out before the block.
    expect((await t.mailbox()).length - before).toBe(6);

    const blocked = await observable(await t.request('/v1/recovery', { json: { email: accounts[6] } }, ATTACKER));
    const elsewhere = await observable(await t.request('/v1/recovery', { json: { email: 'nobody-at-all@example.com' } }, '198.51.100.200'));
    expect(blocked).toEqual(replies[0]);
    expect(blocked).toEqual(elsewhere);
    const mail = await t.mailbox();
    expect(mail.filter((m) => m.to.includes(accounts[6]!))).toHaveLength(1); // the verify mail from sign-up only: no reset mail
    expect(mail.length - before).toBe(6);
  });
});
