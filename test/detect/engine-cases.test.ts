import { describe, expect, it } from 'vitest';
import { parseRuleText } from '../../src/detect/load-rules.js';
import { MemoryState } from '../../src/detect/memory-state.js';
import { Harness } from '../unit/detect/harness.js';

/** A rule of one's own, with cases on several event names and fields (the shipped rules do not mix them). */
const RULE = `
id: mixed
name: Mixed cases
events: [users.login.failure, users.signup, users.password_reset]
group_by: [network.client.ip]
distinct: usr.login
window: 5m
cases:
  - name: unknown sign-ups or resets
    where: { name: [users.signup, users.password_reset], usr.exists: false }
    threshold: 2
    severity: low
  - name: failures on existing accounts
    where: { name: users.login.failure, usr.exists: true }
    threshold: { count: 3 }
    severity: medium
  - name: anything with attrs.flag
    where: { attrs.flag: [yes, 1] }
    threshold: { count: 0 }
    severity: info
`;

describe('the engine decides each case per event name once, and reads the other fields per event', () => {
  const { rule } = parseRuleText(RULE, 'mixed.yaml');
  const send = (h: Harness, name: string, login: string, exists: boolean, attrs?: Record<string, string | number>) =>
    h.send({ name, 'usr.login': login, 'usr.exists': exists, 'network.client.ip': '198.51.100.8', ...(attrs ? { attrs } : {}) });
  const counts = async (h: Harness): Promise<{ count: number; distinct: number }[]> => {
    const obs = await h.engine.state.observe({ rule: rule!, key: '', groupKey: '198.51.100.8', now: h.clock.now(), hits: [] });
    return obs.counts.map((c) => ({ count: c.count, distinct: c.distinct }));
  };

  it('counts an event only for the cases whose names and fields it matches', async () => {
    const h = new Harness({ rules: [rule!], state: new MemoryState() });
    await send(h, 'users.signup', 'a', false);
    await send(h, 'users.signup', 'b', true); // exists: no case
    await send(h, 'users.password_reset', 'c', false);
    await send(h, 'users.login.failure', 'd', false); // a failure on an unknown account: no case
    await send(h, 'users.login.failure', 'e', true);
    expect(await counts(h)).toEqual([
      { count: 2, distinct: 2 },
      { count: 1, distinct: 1 },
      { count: 0, distinct: 0 },
    ]);
    expect(h.changes).toEqual([]);
    // A list of values matches any of them, of either type, under any of the rule's names.
    await send(h, 'users.login.failure', 'f', false, { flag: 1 });
    await send(h, 'users.signup', 'g', true, { flag: 'yes' });
    await send(h, 'users.signup', 'h', true, { flag: 'no' });
    expect((await counts(h))[2]).toEqual({ count: 2, distinct: 2 });
    expect(h.changes.map((c) => [c.kind, c.signal.case])).toEqual([['opened', 'anything with attrs.flag']]);
    await send(h, 'users.password_reset', 'i', false);
    expect(h.changes.map((c) => [c.kind, c.signal.severity])).toEqual([['opened', 'info'], ['escalated', 'low']]);
  });
});

/**
 * A rule that answers visibly and grades by existence (design §4.2): the
 * grading case comes first, so under "the first case that holds wins" alone it
 * would shadow the answers and open signals in one world only.
 */
const GRADED = `
id: graded
name: Graded by existence
events: [users.login.failure, users.login.success]
group_by: [network.client.ip]
distinct: usr.login
window: 5m
cases:
  - name: existing accounts
    where: { name: users.login.failure, usr.exists: true }
    threshold: 2
    severity: high
  - name: success while it lives
    where: { name: users.login.success }
    while_signal: true
    threshold: { count: 0 }
    severity: critical
    responses:
      - block_ip: 15m
  - name: failures
    where: { name: users.login.failure }
    threshold: 4
    severity: low
    responses:
      - raise_pow: { for: 1h, factor: 4 }
`;

describe('in a rule that answers visibly, a case that reads usr.exists only grades the severity', () => {
  const { rule, errors } = parseRuleText(GRADED, 'graded.yaml');
  const IP = '198.51.100.9';
  /** The same attack in the world where the accounts exist and in the one where they do not. */
  async function bothWorlds(steps: (send: (name: string, login: string) => Promise<void>) => Promise<void>): Promise<[Harness, Harness]> {
    const worlds = [true, false].map((exists) => {
      const h = new Harness({ rules: [rule!], state: new MemoryState() });
      return { h, send: (name: string, login: string) => h.send({ name, 'usr.login': login, 'usr.exists': exists, ...(exists ? { 'usr.id': `id-${login}` } : {}), 'network.client.ip': IP }) };
    });
    for (const w of worlds) await steps(w.send);
    return [worlds[0]!.h, worlds[1]!.h];
  }
  const answers = (h: Harness): string[] => h.responses.map((r) => `${r.response.kind} ${r.ip}`);

  it('loads, with the first case grading', () => {
    expect(errors).toEqual([]);
    expect(rule!.cases.map((c) => c.grades)).toEqual([true, false, false]);
  });

  it('a grading case that holds alone raises nothing: no signal opens, so a success while it "lives" is not blocked in either world', async () => {
    const [exists, unknown] = await bothWorlds(async (send) => {
      for (let i = 0; i < 3; i++) await send('users.login.failure', `u${i}@example.com`);
      await send('users.login.success', 'attacker@example.com');
    });
    expect(exists.changes).toEqual([]);
    expect(answers(exists)).toEqual([]);
    expect(answers(unknown)).toEqual([]);
  });

  it('when the answering case holds, it answers in both worlds alike; the grading case that holds first gives the severity and names the case', async () => {
    const [exists, unknown] = await bothWorlds(async (send) => {
      for (let i = 0; i < 5; i++) await send('users.login.failure', `u${i}@example.com`);
      await send('users.login.success', 'attacker@example.com');
    });
    expect(answers(exists)).toEqual([`raise_pow ${IP}`, `block_ip ${IP}`]);
    expect(answers(unknown)).toEqual(answers(exists));
    expect(exists.changes.map((c) => [c.kind, c.signal.severity, c.signal.case])).toEqual([['opened', 'high', 'existing accounts'], ['escalated', 'critical', 'success while it lives']]);
    expect(unknown.changes.map((c) => [c.kind, c.signal.severity, c.signal.case])).toEqual([['opened', 'low', 'failures'], ['escalated', 'critical', 'success while it lives']]);
    // The same signal life in both: one signal, the same hits.
    expect(exists.changes.map((c) => [c.signal.firstSeen, c.signal.hits])).toEqual(unknown.changes.map((c) => [c.signal.firstSeen, c.signal.hits]));
  });
});
