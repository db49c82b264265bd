import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { readFileSync } from 'node:fs';
import * as hush from '../../src/index.js';
import { Envelope } from '../../src/core/envelope.js';
import { ManualClock } from '../../src/kernel/clock.js';

describe('the library', () => {
  it('exports the parts docs/library.md names', () => {
    for (const name of ['createHush', 'loadConfig', 'Envelope', 'PasswordHasher', 'PasswordPolicy', 'Tokens', 'Sessions', 'normalizeIdentifier', 'createGuards', 'createDetectionService', 'createTracker', 'HushError']) {
      expect(hush, name).toHaveProperty(name);
    }
    expect(typeof hush.flows.recoveryRequest.run).toBe('function');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown> };
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './envelope', './track']));
  });

  it('the envelope wraps another app\'s own handler: both paths answer at the same time', async () => {
    const clock = new ManualClock();
    const envelope = new Envelope({ clock, floorMinMs: 30, sleep: (ms) => Promise.resolve(clock.advance(ms)) });
    const users = new Set(['known@example.com']);
    const app = new Hono();
    app.post('/forgot', async (c) => {
      const { email } = await c.req.json<{ email: string }>();
      const started = clock.monotonic();
      await envelope.run('forgot', () => {
        // The leaky part of "your code": a known user costs 12 ms more.
        clock.advance(users.has(email) ? 15 : 3);
        return Promise.resolve();
      });
      return c.json({ message: 'Check your inbox.', took: clock.monotonic() - started }, 202);
    });
    const ask = async (email: string): Promise<{ message: string; took: number }> =>
      (await app.request('/forgot', { method: 'POST', body: JSON.stringify({ email }), headers: { 'content-type': 'application/json' } })).json();
    const known = await ask('known@example.com');
    const unknown = await ask('nobody@example.com');
    expect(known).toEqual(unknown);
    expect(known.took).toBe(30);
  });
});
