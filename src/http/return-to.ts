import type { Outcome } from '../core/flows/index.js';
import { defaultReturnTo, resolveReturnTo } from '../core/return-to.js';
import type { FlowSettings } from '../core/flows/index.js';

/** What the HTTP layer needs to decide a `return_to` (core/return-to.ts). */
export interface ReturnToSettings {
  origin: string;
  basePath: string;
  returnToOrigins: readonly string[];
}

/** The flows' settings say where hush lives and which origins `return_to` may name. */
export function returnToSettings(settings: FlowSettings): ReturnToSettings {
  return { origin: settings.origin, basePath: settings.basePath ?? '', returnToOrigins: settings.returnToOrigins ?? [] };
}

/** The accepted `return_to`, or null (absent or refused). */
export function acceptedReturnTo(raw: unknown, settings: ReturnToSettings): string | null {
  return resolveReturnTo(raw, { origin: settings.origin, origins: settings.returnToOrigins });
}

/**
 * The JSON API's `return_to`: when the request sent the field and the flow
 * succeeded with a 200 (signed in, confirmed, password changed), the reply
 * carries `return_to` with where to go (the accepted value, else hush's
 * default page). A failure is never touched, so it stays byte-identical with
 * or without the field, and the field is the caller's own, never an account's.
 */
export function withReturnTo<O extends Outcome>(outcome: O, fields: Readonly<Record<string, unknown>>, settings: ReturnToSettings): O {
  if (!('return_to' in fields) || outcome.reply.status !== 200 || outcome.reply.body === null) return outcome;
  const returnTo = acceptedReturnTo(fields.return_to, settings) ?? defaultReturnTo(settings.origin, settings.basePath);
  return { ...outcome, reply: { status: 200, body: { ...outcome.reply.body, return_to: returnTo } } };
}
