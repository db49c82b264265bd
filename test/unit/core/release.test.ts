import { describe, expect, it } from 'vitest';
import { Envelope } from '../../../src/core/envelope.js';
import { ReleaseTimer } from '../../../src/core/release.js';
import { systemClock } from '../../../src/kernel/clock.js';
import { SeededRandom } from '../../../src/kernel/random.js';

/**
 * The release moment, on the real clock. A plain setTimeout counts whole
 * milliseconds from the event loop's cached clock, so the rest of a floor
 * (a fraction of a millisecond past the work) ends early, by an amount that
 * depends on how long the work took: that is a timing channel. The
 * ReleaseTimer never wakes early. Counts, not durations, are asserted, so a
 * loaded machine makes the wait late, never the test flaky.
 */
const random = new SeededRandom(3);
const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

async function earlyWakes(wait: (ms: number) => Promise<void>, n: number): Promise<number> {
  let early = 0;
  for (let i = 0; i < n; i++) {
    busy(random.int(1000) / 1000);
    const ms = 0.2 + random.int(3000) / 1000;
    const start = performance.now();
    await wait(ms);
    if (performance.now() - start < ms) early++;
  }
  return early;
}

describe('ReleaseTimer', () => {
  it('never wakes before its moment, where setTimeout for the same fractional delays often does', async () => {
    const timer = new ReleaseTimer(systemClock);
    expect(await earlyWakes((ms) => timer.after(ms), 300)).toBe(0);
    // The defense switched off: setTimeout's early wakes are what the test exists to catch.
    expect(await earlyWakes((ms) => new Promise((r) => setTimeout(r, ms)), 300)).toBeGreaterThan(30);
  });

  it('wakes many waiters in the order of their moments, each at or after it', async () => {
    const timer = new ReleaseTimer(systemClock);
    const base = performance.now();
    const targets = Array.from({ length: 200 }, () => base + 10 + random.int(20_000) / 1000);
    const woken: { target: number; at: number }[] = [];
    await Promise.all(targets.map((t) => timer.until(t).then(() => woken.push({ target: t, at: performance.now() }))));
    expect(woken.every((w) => w.at >= w.target)).toBe(true);
    const order = woken.map((w) => w.target);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(timer.pending).toBe(0);
  });
});

describe('Envelope on the real clock', () => {
  it('never releases a reply before start + floor, whatever the work took', async () => {
    const envelope = new Envelope({ clock: systemClock, floorMinMs: 3 });
    let early = 0;
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      await envelope.run('f', () => Promise.resolve(busy(random.int(2000) / 1000)), { learn: () => false });
      if (performance.now() - start < 3) early++;
    }
    expect(early).toBe(0);
  });
});
