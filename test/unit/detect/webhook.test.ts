import { describe, expect, it } from 'vitest';
import { PermanentDeliveryError } from '../../../src/core/outbox.js';
import type { OutboxMessage } from '../../../src/core/outbox.js';
import { ManualClock } from '../../../src/kernel/clock.js';
import { signWebhook, verifyWebhook, webhookBody, webhookDeliverer, webhookSigningKey } from '../../../src/detect/webhook.js';
import type { SignalChange } from '../../../src/detect/signal.js';

const change: SignalChange = {
  kind: 'opened',
  signal: {
    id: 'sig1', ruleId: 'password-reset-enumeration', ruleName: 'User enumeration through password reset', severity: 'medium',
    group: { 'network.client.ip': '203.0.113.7' }, case: 'existing accounts', firstSeen: 0, lastSeen: 60_000, expiresAt: 3_660_000, hits: 1,
    evidence: { counts: { 'existing accounts': { count: 6, distinct: 6 } }, values: ['a@x.test'], events: [] },
  },
};
const message = (payload: unknown): OutboxMessage => ({ id: 'row-1', kind: 'webhook', payload, attempts: 1, createdAt: new Date(0) });

describe('webhooks', () => {
  it('signs with HMAC-SHA256 over timestamp and body; receivers verify, and a changed body or old timestamp fails', () => {
    const key = webhookSigningKey('x'.repeat(32));
    expect(key).not.toContain('x'.repeat(32));
    const body = webhookBody(change, 'json', 'https://id.example.test');
    const header = signWebhook(key, 1000, body);
    expect(verifyWebhook(key, header, body, 1100)).toBe(true);
    expect(verifyWebhook(key, header, body.replace('medium', 'low'), 1100)).toBe(false);
    expect(verifyWebhook(key, header, body, 2000)).toBe(false);
    expect(verifyWebhook('other', header, body, 1100)).toBe(false);
  });

  it('renders generic JSON and a Slack-compatible message', () => {
    const json = JSON.parse(webhookBody(change, 'json', 'https://id.example.test')) as { type: string; signal: { firstSeen: string }; link: string };
    expect(json).toMatchObject({ type: 'signal.opened', link: 'https://id.example.test/v1/signals/sig1', signal: { firstSeen: '1970-01-01T00:00:00.000Z' } });
    const slack = JSON.parse(webhookBody(change, 'slack', undefined)) as { text: string; blocks: unknown[] };
    expect(slack.text).toBe('[MEDIUM] User enumeration through password reset (network.client.ip=203.0.113.7): existing accounts, opened');
    expect(slack.blocks).toHaveLength(2);
  });

  it('delivers signed, with the row id for de-duplication; retries 5xx and 429, gives up on other 4xx', async () => {
    const seen: { headers: Headers; body: string }[] = [];
    let status = 200;
    const fetch = ((_u: string, init: RequestInit) => {
      seen.push({ headers: new Headers(init.headers), body: init.body as string });
      return Promise.resolve(new Response('ok', { status }));
    }) as unknown as typeof globalThis.fetch;
    const clock = new ManualClock(1_000_000);
    const d = webhookDeliverer({ signingKey: 'k', clock, fetch });
    const payload = { url: 'https://hooks.example.test/a', format: 'json', body: '{"a":1}' };
    await d.deliver(message(payload));
    expect(seen[0]!.headers.get('x-hush-delivery')).toBe('row-1');
    expect(verifyWebhook('k', seen[0]!.headers.get('x-hush-signature')!, '{"a":1}', 1000)).toBe(true);
    status = 503;
    await expect(d.deliver(message(payload))).rejects.not.toBeInstanceOf(PermanentDeliveryError);
    status = 429;
    await expect(d.deliver(message(payload))).rejects.not.toBeInstanceOf(PermanentDeliveryError);
    status = 404;
    await expect(d.deliver(message(payload))).rejects.toBeInstanceOf(PermanentDeliveryError);
    await expect(d.deliver(message({ body: 'x' }))).rejects.toBeInstanceOf(PermanentDeliveryError);
  });

  it('an unreachable endpoint is retried, and the error never names the URL (Slack URLs are credentials)', async () => {
    const fetch = (() => Promise.reject(new TypeError('getaddrinfo ENOTFOUND hooks.slack.com/services/T0/B0/SECRET'))) as unknown as typeof globalThis.fetch;
    const d = webhookDeliverer({ signingKey: 'k', clock: new ManualClock(), fetch });
    const err = await d.deliver(message({ url: 'https://hooks.slack.com/services/T0/B0/SECRET', format: 'slack', body: '{}' })).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(JSON.stringify({ m: err!.message, c: String((err as Error & { cause?: unknown }).cause) })).not.toContain('SECRET');
  });
});
