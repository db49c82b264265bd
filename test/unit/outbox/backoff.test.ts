import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/outbox/backoff.js';
import { describeError } from '../../../src/outbox/worker.js';
import { SeededRandom } from '../../../src/kernel/random.js';

describe('backoff', () => {
  it('doubles per attempt up to the cap, jittered within the upper half', () => {
    const random = new SeededRandom(7);
    const opts = { baseMs: 1000, maxMs: 60_000 };
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(60_000, 1000 * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt, random, opts);
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('spreads a burst of retries', () => {
    const random = new SeededRandom(1);
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(5, random, { baseMs: 1000, maxMs: 60_000 })));
    expect(delays.size).toBeGreaterThan(15);
  });
});

describe('describeError', () => {
  it('cuts URLs (links hold tokens, connection strings hold passwords) and bounds the length', () => {
    const text = describeError(new Error(`failed for https://id.test/r#token=abc and smtp://u:pw@h:25 ${'x'.repeat(1000)}`));
    expect(text).not.toContain('abc');
    expect(text).not.toContain('pw@');
    expect(text.length).toBeLessThanOrEqual(300);
  });
});
