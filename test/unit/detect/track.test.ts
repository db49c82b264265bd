import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/kernel/random.js';
import { createTracker } from '../../../src/track/index.js';

function fakeHush(script: number[]) {
  const calls: { auth: string | null; events: Record<string, unknown>[] }[] = [];
  const fetch = (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const events = JSON.parse(init?.body as string) as Record<string, unknown>[];
    calls.push({ auth: new Headers(init?.headers).get('authorization'), events });
    const status = script.shift() ?? 202;
    if (status === 0) return Promise.reject(new TypeError('fetch failed'));
    return Promise.resolve(new Response(JSON.stringify({ accepted: events.length, rejected: [] }), { status }));
  };
  return { calls, fetch: fetch };
}

describe('hush/track', () => {
  it('sends Datadog-shaped events in batches with the API key', async () => {
    const hush = fakeHush([]);
    const track = createTracker({ endpoint: 'https://id.example.test/', apiKey: 'hush_k', batchSize: 2, fetch: hush.fetch, flushOnExit: false });
    track.loginFailure({ login: 'a@example.com', exists: false, ip: '203.0.113.1', userAgent: 'curl/8' });
    track.loginSuccess({ login: 'b@example.com', id: 'u2' });
    track.passwordReset({ login: 'c@example.com', exists: true });
    await track.close();
    expect(hush.calls.map((c) => c.events.length)).toEqual([2, 1]);
    expect(hush.calls[0]!.auth).toBe('Bearer hush_k');
    expect(hush.calls[0]!.events[0]).toMatchObject({ name: 'users.login.failure', 'usr.login': 'a@example.com', 'usr.exists': false, 'network.client.ip': '203.0.113.1', 'http.useragent': 'curl/8' });
    expect(hush.calls[1]!.events[0]).toMatchObject({ name: 'users.password_reset', 'usr.exists': true });
    expect(track.stats).toMatchObject({ sent: 3, dropped: 0, queued: 0 });
  });

  it('retries network errors, 429 and 5xx with backoff, then delivers', async () => {
    const hush = fakeHush([0, 503, 429]);
    const track = createTracker({ endpoint: 'https://id.example.test', apiKey: 'k', backoffMs: 1, fetch: hush.fetch, flushOnExit: false, random: new SeededRandom(1) });
    track.signup({ login: 'n@example.com' });
    await track.flush();
    expect(hush.calls).toHaveLength(4);
    expect(track.stats.sent).toBe(1);
    await track.close();
  });

  it('gives up on a refused key at once and after maxAttempts on an outage, telling onError without the key', async () => {
    const errors: string[] = [];
    const refused = fakeHush([401]);
    const a = createTracker({ endpoint: 'https://x.test', apiKey: 'hush_secret_key', fetch: refused.fetch, flushOnExit: false, onError: (e) => errors.push(e.message) });
    a.signup({ login: 'n@example.com' });
    await a.close();
    expect(refused.calls).toHaveLength(1);
    const down = fakeHush([500, 500, 500, 500]);
    const b = createTracker({ endpoint: 'https://x.test', apiKey: 'hush_secret_key', maxAttempts: 3, backoffMs: 1, fetch: down.fetch, flushOnExit: false, onError: (e) => errors.push(e.message) });
    b.signup({ login: 'n@example.com' });
    await b.close();
    expect(down.calls).toHaveLength(3);
    expect(b.stats.dropped).toBe(1);
    expect(errors).toHaveLength(2);
    expect(errors.join(' ')).not.toContain('hush_secret_key');
  });

  it('holds at most maxQueue events, dropping the oldest', async () => {
    const hush = fakeHush([]);
    const track = createTracker({ endpoint: 'https://x.test', apiKey: 'k', maxQueue: 5, batchSize: 1000, fetch: hush.fetch, flushOnExit: false });
    for (let i = 0; i < 8; i++) track.signup({ login: `n${i}@example.com` });
    expect(track.stats).toMatchObject({ queued: 5, dropped: 3 });
    await track.close();
    expect(hush.calls[0]!.events.map((e) => e['usr.login'])).toEqual(['n3@example.com', 'n4@example.com', 'n5@example.com', 'n6@example.com', 'n7@example.com']);
  });
});
