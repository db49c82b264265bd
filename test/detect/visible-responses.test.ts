import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observable, testHush } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';

/**
 * Issue 13, leak 3: the shipped rules blocked the address when the reset
 * targets existed and raised its proof-of-work when they did not, so after six
 * resets `GET /v1/pow/challenge` said 50000 in one world and 200000 in the
 * other, and the attacker's own correct login failed in one world only.
 * Design §4.2: a detection answer the attacker can see never depends on
 * `usr.exists`. Two whole servers, differing only in whether the six targets
 * exist; the same attacker does the same things from the same address; the
 * server's own outbox worker feeds its own detection and responder.
 */
describe('what detection shows an enumerating attacker is the same whether or not the accounts exist', () => {
  const ATTACKER = '203.0.113.66';
  const OWN = { email: 'attacker@example.org', password: 'the attacker own passphrase' };
  const targets = Array.from({ length: 6 }, (_, i) => `target${i}@example.com`);
  const worlds: Record<'exist' | 'unknown', TestHush | undefined> = { exist: undefined, unknown: undefined };

  async function world(withTargets: boolean): Promise<TestHush> {
    const t = await testHush();
    // Accounts are put in the store directly: how they came to exist is not what this test is about.
    const now = new Date();
    const create = async (id: string, email: string, password: string): Promise<void> => {
      const created = await t.hush.store.identities.create({ id, email, passwordHash: await t.hush.flows.hasher.hash(password), verifiedAt: now, createdAt: now });
      expect(created).not.toBeNull();
    };
    await create('attacker-own-id', OWN.email, OWN.password);
    if (withTargets) for (const [i, email] of targets.entries()) await create(`target-id-${i}`, email, `target passphrase number ${i}`);
    return t;
  }

  /** A reply as the attacker compares it: status, headers bar Date, body; a cookie by its name and attributes (its value and expiry are random and the clock's). */
  async function seen(res: Response): Promise<unknown> {
    const o = await observable(res);
    return { ...o, headers: o.headers.map(([k, v]) => (k === 'set-cookie' ? [k, v.replace(/=[^;]*/, '=…').replace(/Expires=[^;]*/, 'Expires=…')] : [k, v])) };
  }

  /** The challenge minus what is random per request (nonce, salt, signatures) and the expiry (the clock's). */
  async function challenge(t: TestHush): Promise<unknown> {
    const res = await t.request('/v1/pow/challenge?action=recovery', {}, ATTACKER);
    expect(res.status).toBe(200);
    const c = (await res.json()) as { parameters: Record<string, unknown> };
    const { nonce: _n, salt: _s, keyPrefix: _p, keySignature: _k, expiresAt: _e, ...rest } = c.parameters;
    return rest;
  }

  const attackerMail = async (t: TestHush): Promise<string[]> => (await t.mailbox()).filter((m) => m.to.includes(OWN.email)).map((m) => m.subject);

  /** Everything below is what the attacker does; each returns what it sees. */
  async function attack(t: TestHush): Promise<Record<string, unknown>> {
    const seenNow: Record<string, unknown> = {};
    seenNow.challengeBefore = await challenge(t);
    const replies = [];
    for (const email of targets) replies.push(await seen(await t.request('/v1/recovery', { json: { email } }, ATTACKER)));
    seenNow.resetReplies = replies;
    // The outbox worker delivers the reset events to detection, which answers through the guards.
    await t.deliver();
    seenNow.challengeAfter = await challenge(t);
    // Its own account, with its own correct password, from the same address: does it get in?
    seenNow.ownLogin = await seen(await t.request('/v1/login', { json: OWN }, ATTACKER));
    // Its own reset: does the mail reach its own mailbox?
    seenNow.ownReset = await seen(await t.request('/v1/recovery', { json: { email: OWN.email } }, ATTACKER));
    seenNow.ownMail = await attackerMail(t);
    return seenNow;
  }

  const seenIn: Record<string, Record<string, unknown>> = {};
  beforeAll(async () => {
    worlds.exist = await world(true);
    worlds.unknown = await world(false);
    seenIn.exist = await attack(worlds.exist);
    seenIn.unknown = await attack(worlds.unknown);
  }, 120_000);
  afterAll(async () => {
    await worlds.exist?.close();
    await worlds.unknown?.close();
  });

  it('the proof-of-work challenge after six resets is the same in both worlds', () => {
    expect(seenIn.exist!.challengeBefore).toEqual(seenIn.unknown!.challengeBefore);
    expect(seenIn.exist!.challengeAfter).toEqual(seenIn.unknown!.challengeAfter);
  });

  it('the attacker is blocked in both worlds or in neither: its own login and its own reset mail are the same', () => {
    expect(seenIn.exist!.ownLogin).toEqual(seenIn.unknown!.ownLogin);
    expect(seenIn.exist!.ownReset).toEqual(seenIn.unknown!.ownReset);
    expect(seenIn.exist!.ownMail).toEqual(seenIn.unknown!.ownMail);
    expect(seenIn.exist).toEqual(seenIn.unknown);
  });

  it('…and detection did answer (a block, silently), with the severity alone telling the worlds apart', async () => {
    const blocked = async (t: TestHush): Promise<string[]> => (await t.hush.guards.listBlocks()).map((b) => b.cidr);
    expect(await blocked(worlds.exist!)).toEqual([`${ATTACKER}/32`]);
    expect(await blocked(worlds.unknown!)).toEqual([`${ATTACKER}/32`]);
    // Blocked: the correct password gets the failure reply, and no reset mail arrives.
    expect((seenIn.exist!.ownLogin as { status: number }).status).toBe(401);
    expect(seenIn.exist!.ownMail).toEqual([]);
    const severities = async (t: TestHush): Promise<string[]> => (await t.hush.stores.signals.list({ ruleId: 'password-reset-enumeration' })).signals.map((s) => s.severity);
    expect(await severities(worlds.exist!)).toEqual(['medium']);
    expect(await severities(worlds.unknown!)).toEqual(['low']);
  });
});
