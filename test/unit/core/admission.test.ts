import { describe, expect, it } from 'vitest';
import { Admission } from '../../../src/core/admission.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Admission', () => {
  it('lets at most `size` holders in, and the rest in arrival order', async () => {
    const gate = new Admission(2);
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const all = Array.from({ length: 6 }, (_, i) =>
      gate.acquire().then((release) => {
        order.push(i);
        releases.push(release);
      }),
    );
    await tick();
    expect(order).toEqual([0, 1]);
    expect(gate.active).toBe(2);
    expect(gate.queued).toBe(4);
    // Releasing twice gives back one permit, not two.
    releases[1]?.();
    releases[1]?.();
    await tick();
    expect(order).toEqual([0, 1, 2]);
    expect(gate.active).toBe(2);
    for (let i = 0; i < 6; i++) {
      releases[i]?.();
      await tick();
    }
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    releases.forEach((r) => r());
    expect(gate.active).toBe(0);
    expect(gate.queued).toBe(0);
  });

  it('a newcomer cannot pass the line when a permit comes free', async () => {
    const gate = new Admission(1);
    const first = await gate.acquire();
    const order: string[] = [];
    const waiting = gate.acquire().then((r) => (order.push('waiting'), r));
    first();
    const late = gate.acquire().then((r) => (order.push('late'), r));
    (await waiting)();
    (await late)();
    expect(order).toEqual(['waiting', 'late']);
  });

  it('keeps order over a long line (the queue compacts itself)', async () => {
    const gate = new Admission(1);
    const seen: number[] = [];
    const all = Array.from({ length: 5000 }, (_, i) =>
      gate.acquire().then((release) => {
        seen.push(i);
        setImmediate(release);
      }),
    );
    await Promise.all(all);
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(gate.queued).toBe(0);
  });

  it('refuses a size that is not a whole number of at least 1', () => {
    expect(() => new Admission(0)).toThrow(RangeError);
    expect(() => new Admission(1.5)).toThrow(RangeError);
    expect(() => new Admission(Number.NaN)).toThrow(RangeError);
    expect(new Admission(Number.POSITIVE_INFINITY).size).toBe(Number.POSITIVE_INFINITY);
  });

  it('without a limit, admits at once and still counts the flows working (a gauge, never NaN)', async () => {
    const gate = new Admission(Number.POSITIVE_INFINITY);
    const releases = await Promise.all(Array.from({ length: 3 }, () => gate.acquire()));
    expect({ active: gate.active, queued: gate.queued }).toEqual({ active: 3, queued: 0 });
    for (const release of releases) release();
    expect(gate.active).toBe(0);
  });
});
