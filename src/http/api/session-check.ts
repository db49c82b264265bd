import { Hono } from 'hono';
import { HushError } from '../../kernel/errors.js';
import type { FlowDeps } from '../../core/flows/index.js';
import { readBody } from '../body.js';
import { apiKeyAuth } from './api-key-auth.js';
import type { ApiKeyVariables, ApiKeyVerifier } from './api-key-auth.js';

/** A session cookie's value is 43 characters; the body holds it and little else. */
export const SESSION_CHECK_BODY_LIMIT = 4 * 1024;

export interface SessionCheckDeps {
  flows: Pick<FlowDeps, 'sessions' | 'store'>;
  apiKeys: ApiKeyVerifier;
  /** HUSH_FORWARD_AUTH_EMAIL: also answer the full address. */
  email: boolean;
}

/** The reply for a value that is no live session: one constant, whatever was sent. */
export const SESSION_INACTIVE = Object.freeze({ active: false });

/**
 * `POST /v1/session/check`: for an app server that is not behind the proxy.
 * It reads hush's session cookie from its own request and asks hush, with an
 * API key of the `session` scope (`hush apikey create --name app --scope
 * session`), whether that value is a live session — like OAuth token
 * introspection (RFC 7662): `200 { active: true, identity, expires_at }` (and
 * `email` when configured), else `200 { active: false }`. The value travels in
 * the body, never the URL (which proxies log). No hashing but SHA-256.
 */
export function sessionCheckApi(deps: SessionCheckDeps): Hono<{ Variables: ApiKeyVariables }> {
  const app = new Hono<{ Variables: ApiKeyVariables }>();
  app.use('/v1/session/check', apiKeyAuth(deps.apiKeys, 'session'));
  app.post('/v1/session/check', async (c) => {
    c.header('Cache-Control', 'no-store');
    const fields = await readBody(c.req.raw, SESSION_CHECK_BODY_LIMIT);
    const session = fields.session;
    if (typeof session !== 'string' || session.length === 0) {
      throw new HushError('HUSH_VALIDATION', { details: [{ field: 'session', reason: 'is required: the value of the session cookie' }] });
    }
    const found = await deps.flows.sessions.validate(deps.flows.store.sessions, session);
    if (found === null) return c.json(SESSION_INACTIVE, 200);
    return c.json(
      {
        active: true,
        identity: found.identity.id,
        ...(deps.email ? { email: found.identity.email } : {}),
        expires_at: found.session.expiresAt.toISOString(),
      },
      200,
    );
  });
  return app;
}
