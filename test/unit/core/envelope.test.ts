import { describe, expect, it } from 'vitest';
import { Envelope } from '../../../src/core/envelope.js';
import { RecentQuantile } from '../../../src/core/quantile.js';
import { ManualClock } from '../../../src/kernel/clock.js';

/** An envelope on a manual clock: sleeping advances the clock, so the reply time is exact. */
function harness(floorMinMs: number, enabled = true): { env: Envelope; clock: ManualClock; run: (workMs: number, fail?: boolean) => Promise<number> } {
  const clock = new ManualClock();
  const env = new Envelope({ clock, floorMinMs, enabled, sleep: (ms) => Promise.resolve(clock.advance(ms)) });
  const run = async (workMs: number, fail = false): Promise<number> => {
    const start = clock.monotonic();
    await env
      .run('f', () => {
        clock.advance(workMs);
        return fail ? Promise.reject(new Error('x')) : Promise.resolve(1);
      })
      .catch(() => undefined);
    return clock.monotonic() - start;
  };
  return { env, clock, run };
}

describe('Envelope', () => {
  it('holds fast and slow paths to the same floor', async () => {
    const { run } = harness(30);
    expect(await run(1)).toBe(30);
    expect(await run(20)).toBe(30);
  });

  it('holds failures to the floor too', async () => {
    const { run } = harness(30);
    expect(await run(2, true)).toBe(30);
  });

  it('adapts the floor upward to the p99.9 of the flow\'s own work', async () => {
    const { env, run } = harness(5);
    for (let i = 0; i < 2000; i++) await run(i % 100 === 0 ? 40 : 10);
    const floor = env.floorFor('f');
    expect(floor).toBeGreaterThanOrEqual(40);
    expect(await run(10)).toBe(floor);
    expect(await run(1)).toBe(floor);
  });

  it('learns only from runs that did the full work: cheap refusals cannot pull the floor down', async () => {
    const clock = new ManualClock();
    const env = new Envelope({ clock, floorMinMs: 5, sleep: (ms) => Promise.resolve(clock.advance(ms)) });
    const work = (ms: number) => (): Promise<void> => Promise.resolve(void clock.advance(ms));
    for (let i = 0; i < 200; i++) await env.run('f', work(20));
    const learned = env.floorFor('f');
    expect(learned).toBeGreaterThanOrEqual(20);
    // Thousands of requests refused before the flow's work (a bad field, a silent verdict): they are not samples.
    for (let i = 0; i < 5000; i++) await env.run('f', work(0.1), { learn: () => false });
    expect(env.floorFor('f')).toBe(learned);
    // Taught by the same cheap runs, the floor would have fallen to the minimum.
    for (let i = 0; i < 5000; i++) await env.run('f', work(0.1));
    expect(env.floorFor('f')).toBe(5);
  });

  it('comes down by time after a burst, not after 4,096 more samples', async () => {
    const clock = new ManualClock();
    const env = new Envelope({ clock, floorMinMs: 5, horizonMs: 60_000, sleep: (ms) => Promise.resolve(clock.advance(ms)) });
    const work = (ms: number) => (): Promise<void> => Promise.resolve(void clock.advance(ms));
    for (let i = 0; i < 500; i++) await env.run('f', work(i % 10 === 0 ? 50 : 2));
    expect(env.floorFor('f')).toBeGreaterThanOrEqual(50);
    clock.advance(61_000);
    // A hundred ordinary runs later (the newest 64 always count), the burst is gone.
    for (let i = 0; i < 100; i++) await env.run('f', work(2));
    expect(env.floorFor('f')).toBe(5);
  });

  it('switched off, it adds nothing (the timing tests use this to prove their power)', async () => {
    const { run } = harness(30, false);
    expect(await run(1)).toBe(1);
    expect(await run(20)).toBe(20);
  });
});

describe('RecentQuantile', () => {
  it('tracks a high quantile over a bounded window', () => {
    const q = new RecentQuantile({ q: 0.999, capacity: 1000, refreshEvery: 10 });
    for (let i = 1; i <= 1000; i++) q.add(i);
    expect(q.value).toBe(999);
    for (let i = 0; i < 1000; i++) q.add(1);
    expect(q.value).toBe(1);
    expect(q.count).toBe(1000);
  });
});

describe('Envelope admission', () => {
  it('starts a flow\'s clock when it is admitted, so waiting in line is not counted as work', async () => {
    const clock = new ManualClock();
    const env = new Envelope({ clock, floorMinMs: 30, concurrency: 1, sleep: (ms) => new Promise((r) => setTimeout(() => r(clock.advance(ms)), 0)) });
    let releaseFirst: () => void = () => undefined;
    const started: number[] = [];
    const first = env.run('f', async () => {
      started.push(clock.monotonic());
      await new Promise<void>((r) => (releaseFirst = r));
      clock.advance(20);
    });
    const second = env.run('f', () => {
      started.push(clock.monotonic());
      clock.advance(5);
      return Promise.resolve();
    });
    await new Promise((r) => setImmediate(r));
    expect(started).toHaveLength(1);
    expect(env.load).toEqual({ queued: 1, active: 1 });
    releaseFirst();
    await Promise.all([first, second]);
    // The second began when the first's work ended (t=20), not at its floor (t=30).
    expect(started).toEqual([0, 20]);
    // Work samples are 20 and 5 ms: the 20 ms the second spent waiting is not among them.
    expect(env.timings()[0]?.workMs).toBe(20);
    expect(env.load).toEqual({ queued: 0, active: 0 });
  });
});
