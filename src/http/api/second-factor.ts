import { Hono } from 'hono';
import type { Context } from 'hono';
import { HushError } from '../../kernel/errors.js';
import { UNAUTHORIZED, runGuarded } from '../../core/guarded-flow.js';
import type { GuardedDeps } from '../../core/guarded-flow.js';
import type { Identity } from '../../core/identity.js';
import { parseFactor } from '../../core/second-factor.js';
import { secondFactorLogin } from '../../core/flows/second-factor.js';
import { disownConfirm } from '../../core/flows/disown.js';
import { confirmTotp, disableTotp, regenerateRecoveryCodes, secondFactorStatus, setupTotp } from '../../core/flows/totp.js';
import { listSessions, revokeOtherSessions, revokeSession } from '../../core/flows/sessions.js';
import type { RequestClient } from '../client.js';
import type { SessionCookie } from '../cookies.js';
import { send } from '../respond.js';
import { bodyOrReply } from './account.js';

export interface SecondFactorApiDeps {
  guarded: GuardedDeps;
  cookie: SessionCookie;
  client: RequestClient;
}

/**
 * The JSON API of the second factor and the owner's controls (docs/api.md):
 * the second step of a sign-in, TOTP, recovery codes, sessions, and the
 * "this wasn't me" link. The second step and the link are guarded flows
 * (core's runner, inside the envelope); the rest needs a session.
 */
export function secondFactorApi(deps: SecondFactorApiDeps): Hono {
  const app = new Hono();
  const { flows } = deps.guarded;

  /** Runs `work` for the identity behind the session cookie, or answers 401; expected errors become their reply. */
  const signedIn = async (c: Context, work: (identity: Identity, token: string) => Promise<Response>): Promise<Response> => {
    const token = deps.cookie.read(c);
    const found = token === null ? null : await flows.sessions.validate(flows.store.sessions, token);
    if (found === null || token === null) return send(c, { reply: UNAUTHORIZED }, deps.cookie);
    try {
      return await work(found.identity, token);
    } catch (err) {
      if (err instanceof HushError) return c.json(err.toJSON(), err.status as 400);
      throw err;
    }
  };

  app.post('/v1/login/second-factor', async (c) => {
    const fields = await bodyOrReply(c);
    if (fields instanceof Response) return fields;
    // The step comes from its cookie only: a field of that name in the body is overwritten.
    const outcome = await runGuarded(deps.guarded, secondFactorLogin, { ...fields, second_step: deps.cookie.readSecondStep(c) ?? '' }, deps.client.meta(c));
    return send(c, outcome, deps.cookie, outcome.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(outcome.retryAfterSeconds) });
  });

  app.post('/v1/disown', async (c) => {
    const fields = await bodyOrReply(c);
    if (fields instanceof Response) return fields;
    const outcome = await runGuarded(deps.guarded, disownConfirm, fields, deps.client.meta(c));
    return send(c, outcome, deps.cookie, outcome.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(outcome.retryAfterSeconds) });
  });

  app.get('/v1/totp', (c) => signedIn(c, async (identity) => c.json(await secondFactorStatus(flows, identity), 200)));

  app.post('/v1/totp/setup', (c) => signedIn(c, async (identity) => c.json(await setupTotp(flows, identity), 200)));

  app.post('/v1/totp/confirm', async (c) => {
    const fields = await bodyOrReply(c);
    if (fields instanceof Response) return fields;
    return signedIn(c, async (identity) => {
      const code = typeof fields.code === 'string' && fields.code.length <= 32 ? fields.code : null;
      if (code === null) throw new HushError('HUSH_VALIDATION', { details: [{ field: 'code', reason: 'is required' }] });
      return c.json(await confirmTotp(flows, identity, code, deps.client.meta(c)), 200);
    });
  });

  app.delete('/v1/totp', async (c) => {
    const fields = await bodyOrReply(c);
    if (fields instanceof Response) return fields;
    return signedIn(c, async (identity) => {
      await disableTotp(flows, identity, parseFactor(fields), deps.client.meta(c));
      return c.json({ status: 'totp_removed', message: 'The authenticator app was removed. Signing in no longer asks for a code.' }, 200);
    });
  });

  app.post('/v1/totp/recovery-codes', async (c) => {
    const fields = await bodyOrReply(c);
    if (fields instanceof Response) return fields;
    return signedIn(c, async (identity) => {
      const code = typeof fields.code === 'string' && fields.code.length <= 32 ? fields.code : null;
      return c.json(await regenerateRecoveryCodes(flows, identity, code, deps.client.meta(c)), 200);
    });
  });

  app.get('/v1/sessions', (c) => signedIn(c, async (identity, token) => c.json({ sessions: await listSessions(flows, identity, token) }, 200)));

  app.delete('/v1/sessions/:id', (c) =>
    signedIn(c, async (identity) => {
      const id = c.req.param('id');
      if (!/^[\w-]{22}$/.test(id) || !(await revokeSession(flows, identity, id, deps.client.meta(c)))) throw new HushError('HUSH_NOT_FOUND');
      return c.body(null, 204);
    }),
  );

  /** Signs every other session out. */
  app.delete('/v1/sessions', (c) =>
    signedIn(c, async (identity, token) => c.json({ status: 'signed_out_others', revoked: await revokeOtherSessions(flows, identity, token, deps.client.meta(c)) }, 200)),
  );

  return app;
}
