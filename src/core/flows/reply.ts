import { HushError } from '../../kernel/errors.js';
import type { ErrorCode } from '../../kernel/errors.js';

/**
 * A flow's public reply: one of the constants declared next to the flow. A
 * flow picks which constant; it cannot build a reply from account data.
 */
export interface Reply {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>> | null;
}

export function reply(status: number, body: Record<string, unknown> | null): Reply {
  return Object.freeze({ status, body: body === null ? null : Object.freeze({ ...body }) });
}

/** A reply carrying a registered error code, with its status and fixed message. */
export function errorReplyOf(code: ErrorCode): Reply {
  const e = new HushError(code);
  return reply(e.status, e.toJSON());
}

/** The one reply every token endpoint gives for a bad token: unknown, spent, expired, wrong purpose or malformed. */
export const BAD_TOKEN = errorReplyOf('HUSH_TOKEN_INVALID');
