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

/** The one reply every token endpoint gives for a bad token: unknown, spent, expired, wrong purpose or malformed. */
export const BAD_TOKEN = reply(400, {
  error: { code: 'HUSH_TOKEN_INVALID', message: 'This link is invalid or has expired. Ask for a new one.' },
});
