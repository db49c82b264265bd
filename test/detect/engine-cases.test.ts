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
