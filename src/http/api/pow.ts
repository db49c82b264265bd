import { Hono } from 'hono';
import type { Context } from 'hono';
import { z } from 'zod';
import { validationError } from '../../kernel/errors.js';
import type { GuardedAction, Guards } from '../../guard/guards.js';

/**
 * `GET /v1/pow/challenge?action=recovery`: an ALTCHA challenge for one action,
 * signed with the instance secret, expiring in five minutes, at the difficulty
 * this client must solve now. Point the widget's `challenge` attribute here.
 * It names no account, so it needs no envelope; it is never cached.
 */
/** The query, also the OpenAPI document's (http/api/openapi.ts). */
export const POW_QUERY = z.object({ action: z.enum(['recovery', 'signup', 'magic-link', 'login']) });

export function powApi(deps: { guards: Pick<Guards, 'powChallenge'>; clientAddress: (c: Context) => string }): Hono {
  const app = new Hono();
  app.get('/v1/pow/challenge', async (c) => {
    const parsed = POW_QUERY.safeParse({ action: c.req.query('action') });
    if (!parsed.success) {
      const err = validationError('action', 'must be one of recovery, signup, magic-link, login');
      return c.json(err.toJSON(), 400);
    }
    const action: GuardedAction = parsed.data.action;
    const challenge = await deps.guards.powChallenge(action, deps.clientAddress(c));
    c.header('Cache-Control', 'no-store');
    return c.json(challenge);
  });
  return app;
}
