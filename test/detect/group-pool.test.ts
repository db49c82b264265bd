import { describe, expect, it } from 'vitest';
import { GroupPool } from '../../src/detect/group-pool.js';
import { BUCKETS } from '../../src/detect/rule.js';

/** The window counters of case `i` of the group in `slot`. */
function ring(pool: GroupPool<string, string>, slot: number, i: number): number[] {
  const base = pool.countsBase(slot) + i * BUCKETS;
  return [...pool.counts(slot).subarray(base, base + BUCKETS)];
}

describe('GroupPool (the memory state\'s groups)', () => {
  it('a new group starts empty, and a slot freed by eviction comes back empty', () => {
    const pool = new GroupPool<string, string>(1, 1);
    const rule = pool.rule('r', 2, 'network.client.ip');
    const a = pool.create(rule, 'a', 100, 0);
    pool.counts(a)[pool.countsBase(a) + BUCKETS + 3] = 7;
    pool.meta(a)[pool.metaBase(a) + 2] = 7;
    pool.setDetail(a, 1, 'seen');
    pool.setExtra(a, 'baseline');
    pool.create(rule, 'b', 150, 0);
    expect([pool.size, pool.evictions]).toEqual([1, 1]);
    expect(pool.find(rule, 'a')).toBe(-1);
    const c = pool.create(rule, 'c', 200, 0);
    expect(c).toBe(a); // the slot `a` freed is reused...
    expect(ring(pool, c, 1)).toEqual(new Array(BUCKETS).fill(0)); // ...from zero
    expect([...pool.meta(c).subarray(pool.metaBase(c), pool.metaBase(c) + 3)]).toEqual([200, 0, 0]);
    expect(pool.detail(c, 1)).toBeUndefined();
    expect(pool.extra(c)).toBeUndefined();
    expect([pool.size, pool.evictions]).toEqual([1, 2]);
  });

  it('evicts the least recently seen: a group looked up since it was queued gets a second chance', () => {
    const pool = new GroupPool<string, string>(2, 1);
    const rule = pool.rule('r', 1, 'network.client.ip');
    pool.create(rule, 'a', 0, 0);
    pool.create(rule, 'b', 0, 0);
    expect(pool.find(rule, 'a')).toBeGreaterThanOrEqual(0);
    pool.create(rule, 'c', 0, 0);
    expect(['a', 'b', 'c'].map((k) => pool.peek(rule, k) >= 0)).toEqual([true, false, true]);
    // `a` used its chance; unused since, it goes before `d` would.
    pool.create(rule, 'd', 0, 0);
    pool.create(rule, 'e', 0, 0);
    expect(['a', 'c', 'd', 'e'].map((k) => pool.peek(rule, k) >= 0)).toEqual([false, false, true, true]);
    expect(pool.evictions).toBe(3);
  });

  it('peek does not count as a use', () => {
    const pool = new GroupPool<string, string>(2, 1);
    const rule = pool.rule('r', 1, 'network.client.ip');
    pool.create(rule, 'a', 0, 0);
    pool.create(rule, 'b', 0, 0);
    pool.peek(rule, 'a');
    pool.create(rule, 'c', 0, 0);
    expect(pool.peek(rule, 'a')).toBe(-1);
  });

  it('one bound over all rules; an evicted group leaves its own rule', () => {
    const pool = new GroupPool<string, string>(2, 1);
    const byIp = pool.rule('by-ip', 1, 'network.client.ip');
    const byLogin = pool.rule('by-login', 1, 'usr.login');
    pool.create(byIp, 'x', 0, 0);
    pool.create(byLogin, 'x', 0, 0);
    pool.create(byLogin, 'y', 0, 0);
    expect(pool.size).toBe(2);
    expect(pool.peek(byIp, 'x')).toBe(-1);
    expect(pool.peek(byLogin, 'x')).toBeGreaterThanOrEqual(0);
  });

  it('rules grouping by the same fields share the key index; a key stays while any of their groups lives', () => {
    const pool = new GroupPool<string, string>(3, 1);
    const stuffing = pool.rule('stuffing', 1, 'network.client.ip');
    const enumeration = pool.rule('enumeration', 1, 'network.client.ip');
    expect(enumeration.keys).toBe(stuffing.keys);
    const a = pool.create(stuffing, '192.0.2.1', 0, 0);
    const b = pool.create(enumeration, '192.0.2.1', 0, 0);
    expect(a).not.toBe(b);
    expect([pool.peek(stuffing, '192.0.2.1'), pool.peek(enumeration, '192.0.2.1')]).toEqual([a, b]);
    pool.create(stuffing, '192.0.2.2', 0, 0);
    pool.create(stuffing, '192.0.2.3', 0, 0); // evicts the oldest: `a`
    expect(pool.peek(stuffing, '192.0.2.1')).toBe(-1);
    expect(pool.peek(enumeration, '192.0.2.1')).toBe(b);
    expect(stuffing.keys.index.has('192.0.2.1')).toBe(true);
    pool.create(stuffing, '192.0.2.4', 0, 0);
    expect(pool.peek(enumeration, '192.0.2.1')).toBe(-1);
    expect(stuffing.keys.index.has('192.0.2.1')).toBe(false);
    expect(pool.evictions).toBe(2);
  });

  it('keeps a mark per group, set when it is created', () => {
    const pool = new GroupPool<string, string>(1, 1);
    const rule = pool.rule('r', 1, '');
    const a = pool.create(rule, '', 0, 1);
    expect(pool.mark(a)).toBe(1);
    pool.setMark(a, 0);
    expect(pool.mark(a)).toBe(0);
    pool.create(rule, 'other', 0, 0);
    const c = pool.create(rule, 'again', 0, 1);
    expect(pool.mark(c)).toBe(1);
  });

  it('when every older group was used, the new group itself may be the one evicted (and is counted)', () => {
    const pool = new GroupPool<string, string>(1, 1);
    const rule = pool.rule('r', 1, 'network.client.ip');
    pool.create(rule, 'a', 0, 0);
    pool.find(rule, 'a');
    pool.create(rule, 'b', 0, 0);
    expect(pool.peek(rule, 'a')).toBeGreaterThanOrEqual(0);
    expect(pool.peek(rule, 'b')).toBe(-1);
    expect(pool.evictions).toBe(1);
  });

  it('a rule with more cases widens every slot and keeps what was counted', () => {
    const pool = new GroupPool<string, string>(5000, 1);
    const one = pool.rule('one', 1, 'network.client.ip');
    const slots: number[] = [];
    for (let g = 0; g < 3000; g++) {
      const s = pool.create(one, `g${g}`, g, 0);
      pool.counts(s)[pool.countsBase(s) + (g % BUCKETS)] = g + 1;
      pool.meta(s)[pool.metaBase(s) + 1] = g + 1;
      pool.setDetail(s, 0, `v${g}`);
      slots.push(s);
    }
    const three = pool.rule('three', 3, 'network.client.ip');
    expect(pool.stride).toBe(3);
    slots.forEach((s, g) => {
      expect(ring(pool, s, 0)[g % BUCKETS]).toBe(g + 1);
      expect(pool.meta(s)[pool.metaBase(s)]).toBe(g);
      expect(pool.meta(s)[pool.metaBase(s) + 1]).toBe(g + 1);
      expect(pool.detail(s, 0)).toBe(`v${g}`);
    });
    const t = pool.create(three, 'wide', 9, 0);
    pool.counts(t)[pool.countsBase(t) + 2 * BUCKETS] = 1;
    expect(ring(pool, t, 2)[0]).toBe(1);
    expect(ring(pool, slots[0]!, 0)[0]).toBe(1);
  });
});
