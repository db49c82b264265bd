import { Hono } from 'hono';
import type { Clock } from '../../kernel/clock.js';
import { parseDuration } from '../../kernel/duration.js';
import { HushError, validationError } from '../../kernel/errors.js';
import { SEVERITIES } from '../../detect/rule-schema.js';
import type { Severity } from '../../detect/rule-schema.js';
import type { Signal } from '../../detect/signal.js';
import { publicSignal } from '../../detect/webhook.js';
import type { SignalPage, SignalQuery } from '../../store/signals.js';
import { parseCursor } from '../../store/signals.js';
import { apiKeyAuth } from './api-key-auth.js';
import type { ApiKeyVariables, ApiKeyVerifier } from './api-key-auth.js';

export interface SignalsApiDeps {
  signals: { get(id: string): Promise<Signal | undefined>; list(query: SignalQuery): Promise<SignalPage> };
  apiKeys: ApiKeyVerifier;
  clock: Clock;
}

/**
 * The signals, for operators (API key with the `admin` scope):
 *
 *   GET /v1/signals?since=1h&severity=medium&rule=ID&limit=50&cursor=…
 *       → { signals: [...], next?: cursor }   newest first; `since` is a duration back or an ISO time
 *   GET /v1/signals/:id → { signal } or 404
 */
export function signalsApi(deps: SignalsApiDeps): Hono<{ Variables: ApiKeyVariables }> {
  const app = new Hono<{ Variables: ApiKeyVariables }>();
  const auth = apiKeyAuth(deps.apiKeys, 'admin');
  app.use('/v1/signals', auth);
  app.use('/v1/signals/*', auth);

  app.get('/v1/signals', async (c) => {
    const query: SignalQuery = {};
    const since = c.req.query('since');
    if (since !== undefined) {
      const back = parseDuration(since);
      const at = back === null ? Date.parse(since) : deps.clock.now() - back;
      if (!Number.isFinite(at)) throw validationError('since', 'is neither a duration (1h) nor an ISO time');
      query.since = at;
    }
    const severity = c.req.query('severity');
    if (severity !== undefined) {
      if (!(SEVERITIES as readonly string[]).includes(severity)) throw validationError('severity', `is not one of ${SEVERITIES.join(', ')}`);
      query.minSeverity = severity as Severity;
    }
    const rule = c.req.query('rule');
    if (rule !== undefined) query.ruleId = rule;
    const limit = c.req.query('limit');
    if (limit !== undefined) {
      if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > 500) throw validationError('limit', 'is not a whole number from 1 to 500');
      query.limit = Number(limit);
    }
    const cursor = c.req.query('cursor');
    if (cursor !== undefined) {
      if (parseCursor(cursor) === undefined) throw validationError('cursor', 'is not a cursor this API returned');
      query.cursor = cursor;
    }
    const page = await deps.signals.list(query);
    return c.json({ signals: page.signals.map(publicSignal), ...(page.next === undefined ? {} : { next: page.next }) });
  });

  app.get('/v1/signals/:id', async (c) => {
    const id = c.req.param('id');
    const signal = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await deps.signals.get(id) : undefined;
    if (!signal) throw new HushError('HUSH_NOT_FOUND');
    return c.json({ signal: publicSignal(signal) });
  });
  // Expected errors render from the registry here too, so the sub-app answers the same mounted or alone.
  app.onError((err, c) => {
    if (err instanceof HushError) return c.json(err.toJSON(), err.status as 400);
    throw err;
  });
  return app;
}
