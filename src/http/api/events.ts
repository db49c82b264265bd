import { Hono } from 'hono';
import type { AccountEvent } from '../../core/event.js';
import type { Clock } from '../../kernel/clock.js';
import { HushError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/log.js';
import { MAX_BATCH, parseEventInput } from '../../detect/event-input.js';
import { readText } from '../body.js';
import { apiKeyAuth } from './api-key-auth.js';
import type { ApiKeyVariables, ApiKeyVerifier } from './api-key-auth.js';

/** 1 MiB: a full batch of 1,000 events at about 1 KiB each. */
export const EVENTS_BODY_LIMIT = 1024 * 1024;

export interface EventsApiDeps {
  /** Persists and analyses a batch (Detection.recordMany). */
  intake: { recordMany(events: readonly AccountEvent[]): Promise<void> };
  apiKeys: ApiKeyVerifier;
  clock: Clock;
  logger: Logger;
  /** Body size limit in bytes; default EVENTS_BODY_LIMIT. */
  maxBytes?: number;
}

/**
 * `POST /v1/events`: other apps send their account events (API key with the
 * `events` scope). The body is a JSON array of events, or `{ "events": [...] }`,
 * at most 1,000 of them. Each bad event is refused with its index and reason;
 * the good ones are kept:
 *
 *   202 { accepted: 998, rejected: [{ index: 3, reason: "usr.exists: is not true or false" }, …] }
 *   400 when none was good (the same `rejected` list in error.details)
 *   413 past the size limit or past 1,000 events
 */
export function eventsApi(deps: EventsApiDeps): Hono<{ Variables: ApiKeyVariables }> {
  const limit = deps.maxBytes ?? EVENTS_BODY_LIMIT;
  const app = new Hono<{ Variables: ApiKeyVariables }>();
  app.use('/v1/events', apiKeyAuth(deps.apiKeys, 'events'));
  app.post('/v1/events', async (c) => {
    const text = await readText(c.req.raw, limit);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HushError('HUSH_BODY_MALFORMED', { message: 'The request body is not valid JSON.' });
    }
    const list = Array.isArray(body) ? body : body !== null && typeof body === 'object' && Array.isArray((body as { events?: unknown }).events) ? (body as { events: unknown[] }).events : undefined;
    if (list === undefined) throw new HushError('HUSH_BODY_MALFORMED', { message: 'Send a JSON array of events, or { "events": [...] }.' });
    if (list.length > MAX_BATCH) throw new HushError('HUSH_BODY_TOO_LARGE', { message: `A batch holds at most ${MAX_BATCH} events; this one has ${list.length}.` });
    const now = deps.clock.now();
    const source = c.get('apiKey').name;
    const accepted: AccountEvent[] = [];
    const rejected: { index: number; reason: string }[] = [];
    list.forEach((raw, index) => {
      const r = parseEventInput(raw, now, source);
      if (r.ok) accepted.push(r.event);
      else rejected.push({ index, reason: r.reason });
    });
    if (accepted.length === 0 && rejected.length > 0) {
      throw new HushError('HUSH_VALIDATION', { message: 'No event in the batch is valid.', details: rejected.map((r) => ({ field: `events[${r.index}]`, reason: r.reason })) });
    }
    await deps.intake.recordMany(accepted);
    return c.json({ accepted: accepted.length, rejected }, 202);
  });
  // Expected errors render from the registry here too, so the sub-app answers the same mounted or alone.
  app.onError((err, c) => {
    if (err instanceof HushError) return c.json(err.toJSON(), err.status as 400);
    throw err;
  });
  return app;
}
