import type { Context } from 'hono';
import type { Outcome } from '../core/flows/index.js';
import type { SessionCookie } from './cookies.js';

/** Sets or clears the session cookie as the Outcome says (a session opened or closed). */
export function applySession(c: Context, outcome: Outcome, cookie: SessionCookie): void {
  if (outcome.session !== undefined) cookie.set(c, outcome.session.token, outcome.session.expiresAt);
  else if (outcome.clearSession === true) cookie.clear(c);
  if (outcome.secondStep !== undefined) cookie.setSecondStep(c, outcome.secondStep.token, outcome.secondStep.expiresAt);
  else if (outcome.clearSecondStep === true) cookie.clearSecondStep(c);
}

/** Writes an Outcome as JSON: its reply, and the session cookie it opened or closed. */
export function send(c: Context, outcome: Outcome, cookie: SessionCookie, extraHeaders: Record<string, string> = {}): Response {
  applySession(c, outcome, cookie);
  for (const [k, v] of Object.entries(extraHeaders)) c.header(k, v);
  const { status, body } = outcome.reply;
  if (body === null) return c.body(null, status as 204);
  return c.json(body, status as 200);
}
