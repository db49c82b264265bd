import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Deliverer, OutboxMessage, WebhookPayload } from '../core/outbox.js';
import { PermanentDeliveryError } from '../core/outbox.js';
import type { Clock } from '../kernel/clock.js';
import { formatDuration } from '../kernel/duration.js';
import type { Signal, SignalChange } from './signal.js';

/** The outbox row of one webhook call (declared in core). The URL may itself be a secret (Slack's are): it is never logged. */
export type { WebhookPayload } from '../core/outbox.js';

export const SIGNATURE_HEADER = 'x-hush-signature';

/**
 * The webhook signing key: derived from the instance secret (HUSH_SECRET), so
 * that the key given to receivers is not the secret that also signs
 * proof-of-work challenges and CSRF tokens. `hush rules webhook-key` prints it.
 */
export function webhookSigningKey(instanceSecret: string): string {
  return createHmac('sha256', instanceSecret).update('hush/webhook/v1').digest('hex');
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, as Stripe does: the timestamp stops replays of old calls. */
export function signWebhook(key: string, unixSeconds: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Checks a signature header (receivers can copy this): true when it is ours and at most `toleranceS` old. */
export function verifyWebhook(key: string, header: string, body: string, nowSeconds: number, toleranceS = 300): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowSeconds - t) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(key, t, body).slice(-64), 'hex');
  return timingSafeEqual(expected, Buffer.from(m[2] ?? '', 'hex'));
}

/** The body for one signal change: generic JSON, or a Slack-compatible message (`text` + blocks). */
export function webhookBody(change: SignalChange, format: 'json' | 'slack', origin: string | undefined): string {
  const s = change.signal;
  const link = origin === undefined ? undefined : `${origin}/v1/signals/${encodeURIComponent(s.id)}`;
  if (format === 'json') {
    return JSON.stringify({ type: `signal.${change.kind}`, signal: publicSignal(s), ...(link ? { link } : {}) });
  }
  const group = Object.entries(s.group).map(([k, v]) => `${k}=${v}`).join(', ') || 'the whole app';
  const text = `[${s.severity.toUpperCase()}] ${s.ruleName} (${group}): ${s.case}, ${change.kind}`;
  const counts = Object.entries(s.evidence.counts).map(([name, c]) => `${name}: ${c.count} events${c.distinct > 0 ? `, ${c.distinct} distinct` : ''}`).join('; ');
  return JSON.stringify({
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(text)}*` } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: escapeSlack(`${counts} · open ${formatDuration(Math.max(0, s.lastSeen - s.firstSeen))} · signal ${s.id}${link ? ` · ${link}` : ''}`) }],
      },
    ],
  });
}

/** A signal as it leaves hush: times as ISO strings. */
export function publicSignal(s: Signal): Record<string, unknown> {
  return {
    ...s,
    firstSeen: new Date(s.firstSeen).toISOString(),
    lastSeen: new Date(s.lastSeen).toISOString(),
    expiresAt: new Date(s.expiresAt).toISOString(),
    evidence: { ...s.evidence, events: s.evidence.events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) },
  };
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface WebhookDelivererOptions {
  /** The derived key (webhookSigningKey(HUSH_SECRET)). */
  signingKey: string;
  clock: Clock;
  /** Where `secretEnv` names are read; default process.env. */
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Delivers `webhook` outbox rows: POSTs the stored body, signed, with the row
 * id as an idempotency key (receivers de-duplicate on it: delivery is at least
 * once). A 2xx is done; 408, 429 and 5xx and network failures are retried by
 * the outbox with backoff; any other 4xx will not get better and is given up.
 */
export function webhookDeliverer(options: WebhookDelivererOptions): Deliverer {
  const doFetch = options.fetch ?? fetch;
  const env = options.env ?? process.env;
  return {
    kind: 'webhook',
    async deliver(message: OutboxMessage): Promise<void> {
      const p = message.payload as Partial<WebhookPayload> | null;
      if (!p || typeof p.url !== 'string' || typeof p.body !== 'string' || !/^https?:\/\//.test(p.url)) throw new PermanentDeliveryError('webhook row without a URL or body');
      const key = p.secretEnv === undefined ? options.signingKey : env[p.secretEnv];
      if (key === undefined || key === '') throw new PermanentDeliveryError(`webhook secret variable ${p.secretEnv ?? ''} is not set`);
      let res: Response;
      try {
        res = await doFetch(p.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'hush-webhook/1',
            [SIGNATURE_HEADER]: signWebhook(key, Math.floor(options.clock.now() / 1000), p.body),
            'x-hush-delivery': message.id,
          },
          body: p.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (cause) {
        // The URL is not in the message: Slack's webhook URLs are credentials.
        throw new Error('webhook endpoint unreachable', { cause: cause instanceof Error ? new Error(cause.name) : undefined });
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return;
      if (res.status === 408 || res.status === 429 || res.status >= 500) throw new Error(`webhook endpoint answered ${res.status}`);
      throw new PermanentDeliveryError(`webhook endpoint refused the call with ${res.status}`);
    },
  };
}
