import type { Context } from 'hono';
import { HushError } from '../kernel/errors.js';
import type { Logger } from '../kernel/log.js';
import type { Outcome, Reply } from '../core/flows/index.js';
import type { SessionCookie } from './cookies.js';

/** The reply for an expected error: its status and the fixed JSON of the error registry. */
export function errorReply(err: HushError): Reply {
  return { status: err.status, body: err.toJSON() };
}

export const INTERNAL = new HushError('HUSH_INTERNAL');

/**
 * Turns whatever a flow's work ended with into an Outcome: expected errors
 * become their public reply, anything else is logged (redacted) and becomes
 * a plain 500 — never a stack trace to the client.
 */
export async function settle(work: () => Promise<Outcome>, logger: Logger, flow: string): Promise<Outcome> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof HushError) return { reply: errorReply(err) };
    logger.error({ err, flow }, 'flow failed');
    return { reply: errorReply(INTERNAL) };
  }
}

/** Writes an Outcome: its reply, and the session cookie it opened or closed. */
export function send(c: Context, outcome: Outcome, cookie: SessionCookie, extraHeaders: Record<string, string> = {}): Response {
  if (outcome.session !== undefined) cookie.set(c, outcome.session.token, outcome.session.expiresAt);
  else if (outcome.clearSession === true) cookie.clear(c);
  for (const [k, v] of Object.entries(extraHeaders)) c.header(k, v);
  const { status, body } = outcome.reply;
  if (body === null) return c.body(null, status as 204);
  return c.json(body, status as 200);
}
