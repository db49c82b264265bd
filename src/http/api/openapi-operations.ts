import { z } from 'zod';
import { ERROR_CODES, HushError } from '../../kernel/errors.js';
import type { ErrorCode } from '../../kernel/errors.js';
import { LOGIN_OK, MAGIC_ACCEPTED, MAGIC_SIGNED_IN, PASSWORD_CHANGED, RECOVERY_ACCEPTED, RECOVERY_DONE, SIGNUP_ACCEPTED, VERIFIED } from '../../core/flows/index.js';
import { SECOND_FACTOR_REQUIRED, SIGNED_IN_WITH_FACTOR } from '../../core/flows/second-factor.js';
import { DISOWNED } from '../../core/flows/disown.js';
import type { Reply } from '../../core/flows/index.js';
import { BLOCK_BODY } from '../admin/blocks.js';
import { POW_QUERY } from './pow.js';
import { SESSION_INACTIVE } from './session-check.js';

/**
 * Every operation of the JSON API, as the OpenAPI document (openapi.ts)
 * states it: its request schema with an example, and every reply it can give
 * with the reply constants and error codes it answers. The schemas are zod,
 * turned into JSON Schema 2020-12; the admin block body and the
 * proof-of-work query are the very schemas their routes validate with. The
 * account flows validate in core (`parse`, inside the envelope), so their
 * schemas here are checked against the running app by
 * test/http/openapi.test.ts: every example is sent and must pass validation.
 */

const email = z.string().min(1).max(320).describe('An email address; normalized (NFKC, lower-cased domain) before use.');
const password = z.string().min(1).max(512).describe('At least HUSH_PASSWORD_MIN_LENGTH characters, at most 128.');
const token = z.string().min(1).max(512).describe('The token from the mailed link\'s fragment (`#token=…`).');
const pow = z.string().optional().describe('An ALTCHA solution (base64 JSON) for GET /v1/pow/challenge, when the endpoint needs one.');
const returnTo = z.string().max(2048).optional().describe('Where to go after signing in: a URL on HUSH_ORIGIN or HUSH_RETURN_TO_ORIGINS, or a path; anything else gives the default page. Carried by the mailed link.');
/** A code from the authenticator app, or (in `code` too) a recovery code: parseFactor in core/second-factor.ts. */
const totpCode = z.string().min(1).max(32).describe('The six digits from the authenticator app (spaces and dashes ignored); a value shaped like a recovery code is taken as one.');
const recoveryCode = z.string().min(1).max(64).describe('One of the ten recovery codes (case, spaces and dashes ignored); each works once.');

export const schemas = {
  Signup: z.object({ email, pow, return_to: returnTo }),
  Login: z.object({ email, password, pow, return_to: returnTo }),
  EmailRequest: z.object({ email, pow, return_to: returnTo }),
  Token: z.object({ token, return_to: returnTo }),
  TokenPassword: z.object({
    token,
    password,
    code: totpCode.optional().describe('For an account with TOTP: a code from the app (or a recovery code); else 401 HUSH_SECOND_FACTOR_REQUIRED and the link still works.'),
    recovery_code: recoveryCode.optional(),
    return_to: returnTo,
  }),
  PasswordChange: z.object({ current: z.string().max(512).optional().describe('The current password; not needed by a session made by a mailed link within 15 minutes (FRESH_SESSION_MS).'), password }),
  SessionCheck: z.object({ session: z.string().min(1).describe('The value of the session cookie the app received.') }),
  Block: BLOCK_BODY,
  Events: z.union([z.array(z.record(z.string(), z.unknown())), z.object({ events: z.array(z.record(z.string(), z.unknown())) })]).describe('Account events (docs/detection.md), at most 1,000.'),
  FlowReply: z.object({
    status: z.string(),
    message: z.string(),
    methods: z.array(z.enum(['totp', 'recovery_code'])).optional().describe('With `second_factor_required`: what POST /v1/login/second-factor accepts.'),
    return_to: z.string().optional().describe('Present when the request sent `return_to`.'),
  }),
  Error: z.object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.array(z.object({ field: z.string().optional(), reason: z.string() })).optional(),
    }),
  }),
  Session: z.object({ id: z.string(), email: z.string().describe('Masked: a***@example.com.') }),
  SessionState: z.union([
    z.object({ active: z.literal(true), identity: z.string(), email: z.string().optional().describe('With HUSH_FORWARD_AUTH_EMAIL=on.'), expires_at: z.string() }),
    z.object({ active: z.literal(false) }),
  ]),
  Challenge: z.object({}).catchall(z.unknown()).describe('An ALTCHA challenge: hand it to the widget.'),
  EventsAccepted: z.object({ accepted: z.number().int(), rejected: z.array(z.object({ index: z.number().int(), reason: z.string() })) }),
  Signals: z.object({ signals: z.array(z.object({ id: z.string() }).catchall(z.unknown())), next: z.string().optional() }),
  Signal: z.object({ signal: z.object({ id: z.string() }).catchall(z.unknown()) }),
  BlockView: z.object({ id: z.string(), cidr: z.string(), reason: z.string(), source: z.string(), createdAt: z.string(), expiresAt: z.string() }),
  Blocks: z.object({ blocks: z.array(z.object({ id: z.string() }).catchall(z.unknown())) }),
  BlockCreated: z.object({ block: z.object({ id: z.string() }).catchall(z.unknown()) }),
  SecondFactorLogin: z.union([z.object({ code: totpCode, pow }), z.object({ recovery_code: recoveryCode, pow })]).describe('A code or a recovery code. The second step comes from its cookie only (a `second_step` field is ignored); `pow` is for action `login`.'),
  Factor: z.union([z.object({ code: totpCode }), z.object({ recovery_code: recoveryCode })]).describe('A fresh code from the app, or a recovery code.'),
  TotpCode: z.object({ code: z.string().max(32).describe('The six digits from the authenticator app.') }),
  DisownToken: z.object({ token }),
  TotpStatus: z.object({ totp: z.boolean(), recovery_codes_left: z.number().int().min(0).max(10) }),
  TotpSetup: z.object({ secret: z.string().describe('Base32, 160 bits; shown this once, and does nothing until confirmed.'), otpauth_uri: z.string().describe('For a QR code (Key URI Format).') }),
  RecoveryCodes: z.object({ recovery_codes: z.array(z.string()).length(10).describe('Shown this once; each works once; the previous ones stop working.') }),
  Sessions: z.object({
    sessions: z.array(z.object({
      id: z.string().describe('Derived from the stored hash: it opens nothing.'),
      device: z.string().describe('Browser and system, from the user agent.'),
      created_at: z.string().describe('Rounded down to the minute.'),
      last_seen_at: z.string().describe('Rounded down to the minute.'),
      current: z.boolean().describe('The session that made this request.'),
    })),
  }),
  OthersSignedOut: z.object({ status: z.literal('signed_out_others'), revoked: z.number().int().min(0) }),
} as const;
export type SchemaName = keyof typeof schemas;

export interface ReplySpec {
  status: number;
  description: string;
  schema?: SchemaName;
  /** Named examples: a reply constant, or an error's fixed JSON. */
  examples?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options';
  path: string;
  summary: string;
  tag: 'account' | 'proxy' | 'detection' | 'admin';
  /** The API key scope it needs, if any. */
  scope?: 'events' | 'admin' | 'session';
  /** Sends the session cookie. */
  cookie?: boolean;
  /** Sends the second-step cookie of a sign-in (not a session). */
  secondStep?: boolean;
  /** Path parameters (`{id}`); every one in `path` is declared, with this description when given. */
  params?: Record<string, string>;
  request?: { schema: SchemaName; example: Record<string, unknown> | unknown[] };
  query?: Record<string, { description: string; required?: boolean; schema: Record<string, unknown> }>;
  replies: ReplySpec[];
}

const ok = (r: Reply, name: string, description: string): ReplySpec => ({ status: r.status, description, schema: 'FlowReply', examples: { [name]: r.body } });
/** A first factor's success: a session, or for an account with TOTP the second step (its cookie, no session). */
const signIn = (r: Reply, name: string, description: string): ReplySpec => ({
  ...ok(r, name, `${description} For an account with TOTP instead: \`second_factor_required\`, the second-step cookie and no session; go on to POST /v1/login/second-factor.`),
  examples: { [name]: r.body, SECOND_FACTOR_REQUIRED: SECOND_FACTOR_REQUIRED.body },
});
/** The replies of one error status: every code named, with its fixed JSON. */
function errors(...codes: ErrorCode[]): ReplySpec[] {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(ERROR_CODES[code].status, [...(byStatus.get(ERROR_CODES[code].status) ?? []), code]);
  return [...byStatus].map(([status, list]) => ({
    status,
    description: list.join(', '),
    schema: 'Error' as const,
    examples: Object.fromEntries(list.map((code) => [code, new HushError(code).toJSON()])),
  }));
}
/** What any body-reading endpoint may answer about the bytes sent, the guards and the server. */
const BODY = ['HUSH_VALIDATION', 'HUSH_BODY_MALFORMED', 'HUSH_BODY_TOO_LARGE', 'HUSH_UNSUPPORTED_MEDIA_TYPE', 'HUSH_CSRF', 'HUSH_INTERNAL'] as const;
const GUARDED = [...BODY, 'HUSH_RATE_LIMITED', 'HUSH_POW_REQUIRED', 'HUSH_POW_INVALID', 'HUSH_FORBIDDEN', 'HUSH_UNAVAILABLE'] as const;
const TOKEN = [...GUARDED, 'HUSH_TOKEN_INVALID', 'HUSH_INSECURE_TRANSPORT'] as const;
/** What an endpoint for the signed-in owner may answer about the session; unsafe methods add HUSH_CSRF. */
const SIGNED_IN = ['HUSH_UNAUTHORIZED', 'HUSH_INSECURE_TRANSPORT', 'HUSH_INTERNAL'] as const;
const BODY_READ = ['HUSH_BODY_MALFORMED', 'HUSH_BODY_TOO_LARGE', 'HUSH_UNSUPPORTED_MEDIA_TYPE', 'HUSH_CSRF'] as const;
const KEYED = ['HUSH_API_KEY_INVALID', 'HUSH_API_KEY_SCOPE', 'HUSH_INTERNAL'] as const;
const email1 = 'ada@example.com';
const RETURN = 'https://app.example.com/orders/7';
const CODES = ['2txs-lrhb-py2q-uzid', 'imjn-vhet-2f6j-2vb3', 'xdwd-6xaz-phnp-xdre', 'rmiq-twuk-vgrv-adwb', '5r6d-mtqe-7biz-7zlm', 'qjhn-dtuu-dk2f-tqz6', 'efpo-qksd-7z7o-24e5', 'no6u-mxb3-dvko-uxln', 't3w4-fgam-l454-i64a', 'sqla-5vvn-drga-bh6t'];

const FORWARD_AUTH: Omit<Operation, 'method'> = {
  path: '/v1/forward-auth',
  summary: 'Forward auth for a reverse proxy (nginx auth_request, Traefik ForwardAuth, Caddy forward_auth); any method. `?redirect=1`: 302 to sign in instead of 401.',
  tag: 'proxy',
  cookie: true,
  query: { redirect: { description: '`1`: without a session, redirect to the sign-in page (built from X-Forwarded-Proto/Host/Uri) instead of 401.', schema: { type: 'string', enum: ['1'] } } },
  replies: [
    { status: 200, description: 'A live session. No body.', headers: { 'X-Hush-Identity': 'The identity id.', 'X-Hush-Email': 'The address, only with HUSH_FORWARD_AUTH_EMAIL=on.' } },
    { status: 302, description: 'No session, with `?redirect=1`: to the sign-in page.', headers: { Location: 'The sign-in page, with return_to when accepted.' } },
    ...errors('HUSH_UNAUTHORIZED'),
  ],
};
const SIGN_IN: Omit<Operation, 'method'> = {
  path: '/v1/forward-auth/sign-in',
  summary: 'Where nginx sends a visitor without a session (error_page 401): a redirect to sign in and back; any method.',
  tag: 'proxy',
  replies: [{ status: 302, description: 'To the sign-in page, with the page asked for as return_to when accepted.', headers: { Location: 'The sign-in page.' } }],
};
const ANY = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;

export const OPERATIONS: readonly Operation[] = [
  {
    method: 'post', path: '/v1/signup', summary: 'Sign up with an address; the mailed link confirms it and signs in.', tag: 'account',
    request: { schema: 'Signup', example: { email: email1, return_to: RETURN } },
    replies: [ok(SIGNUP_ACCEPTED, 'SIGNUP_ACCEPTED', 'The one reply, whatever the address.'), ...errors(...GUARDED)],
  },
  {
    method: 'post', path: '/v1/verify', summary: 'Confirm an address with the mailed token; signs in.', tag: 'account',
    request: { schema: 'Token', example: { token: 'mRzLq0b1d9V8cA2x7kT3eW5yN4uH6jP0sF1gD8aZ2cE', return_to: RETURN } },
    replies: [signIn(VERIFIED, 'VERIFIED', 'Confirmed and signed in (sets the session cookie).'), ...errors(...TOKEN)],
  },
  {
    method: 'post', path: '/v1/login', summary: 'Sign in with a password.', tag: 'account',
    request: { schema: 'Login', example: { email: email1, password: 'correct horse battery staple', return_to: RETURN } },
    replies: [signIn(LOGIN_OK, 'LOGIN_OK', 'Signed in (sets the session cookie).'), ...errors(...GUARDED, 'HUSH_LOGIN_FAILED')],
  },
  { method: 'get', path: '/v1/session', summary: 'Who is signed in.', tag: 'account', cookie: true, replies: [{ status: 200, description: 'The identity, its address masked.', schema: 'Session', examples: { session: { id: 'k3q9x2m7b1c4', email: 'a***@example.com' } } }, ...errors('HUSH_UNAUTHORIZED', 'HUSH_INSECURE_TRANSPORT')] },
  { method: 'post', path: '/v1/logout', summary: 'Sign out of this session.', tag: 'account', cookie: true, replies: [{ status: 204, description: 'Signed out (the cookie is cleared), or there was no session.' }, ...errors('HUSH_CSRF', 'HUSH_INSECURE_TRANSPORT')] },
  {
    method: 'post', path: '/v1/recovery', summary: 'Ask for a password-reset link.', tag: 'account',
    request: { schema: 'EmailRequest', example: { email: email1, return_to: RETURN } },
    replies: [ok(RECOVERY_ACCEPTED, 'RECOVERY_ACCEPTED', 'The one reply, whatever the address.'), ...errors(...GUARDED)],
  },
  {
    method: 'post', path: '/v1/recovery/confirm', summary: 'Choose a new password with the mailed token.', tag: 'account',
    request: { schema: 'TokenPassword', example: { token: 'mRzLq0b1d9V8cA2x7kT3eW5yN4uH6jP0sF1gD8aZ2cE', password: 'a new long password', return_to: RETURN } },
    replies: [
      ok(RECOVERY_DONE, 'RECOVERY_DONE', 'Changed; every session of the account is signed out.'),
      ...errors(...TOKEN, 'HUSH_SECOND_FACTOR_REQUIRED', 'HUSH_SECOND_FACTOR_INVALID', 'HUSH_BREACH_CHECK_FAILED'),
    ],
  },
  {
    method: 'post', path: '/v1/magic-link', summary: 'Ask for a sign-in link (creates the account when used, for a new address).', tag: 'account',
    request: { schema: 'EmailRequest', example: { email: email1, return_to: RETURN } },
    replies: [ok(MAGIC_ACCEPTED, 'MAGIC_ACCEPTED', 'The one reply, whatever the address.'), ...errors(...GUARDED)],
  },
  {
    method: 'post', path: '/v1/magic-link/confirm', summary: 'Sign in with the mailed token.', tag: 'account',
    request: { schema: 'Token', example: { token: 'mRzLq0b1d9V8cA2x7kT3eW5yN4uH6jP0sF1gD8aZ2cE', return_to: RETURN } },
    replies: [signIn(MAGIC_SIGNED_IN, 'MAGIC_SIGNED_IN', 'Signed in (sets the session cookie).'), ...errors(...TOKEN)],
  },
  {
    method: 'post', path: '/v1/password', summary: 'Change (or first set) the password.', tag: 'account', cookie: true,
    request: { schema: 'PasswordChange', example: { current: 'correct horse battery staple', password: 'a new long password' } },
    replies: [ok(PASSWORD_CHANGED, 'PASSWORD_CHANGED', 'Changed; the other sessions are signed out.'), ...errors(...BODY, 'HUSH_UNAUTHORIZED', 'HUSH_PASSWORD_MISMATCH', 'HUSH_RATE_LIMITED', 'HUSH_INSECURE_TRANSPORT', 'HUSH_BREACH_CHECK_FAILED')],
  },
  ...ANY.map((method) => ({ ...FORWARD_AUTH, method })),
  ...ANY.map((method) => ({ ...SIGN_IN, method })),
  {
    method: 'post', path: '/v1/session/check', summary: 'For an app server: is this cookie value a live session? (RFC 7662 style)', tag: 'proxy', scope: 'session',
    request: { schema: 'SessionCheck', example: { session: 'mRzLq0b1d9V8cA2x7kT3eW5yN4uH6jP0sF1gD8aZ2cE' } },
    replies: [
      { status: 200, description: 'Whether it is live, and whose.', schema: 'SessionState', examples: { active: { active: true, identity: 'k3q9x2m7b1c4', expires_at: '2026-12-17T10:00:00.000Z' }, inactive: SESSION_INACTIVE } },
      ...errors(...KEYED, 'HUSH_VALIDATION', 'HUSH_BODY_MALFORMED', 'HUSH_BODY_TOO_LARGE', 'HUSH_UNSUPPORTED_MEDIA_TYPE'),
    ],
  },
  {
    method: 'get', path: '/v1/pow/challenge', summary: 'A proof-of-work challenge for one action.', tag: 'account',
    query: { action: { description: 'The endpoint the solution is for.', required: true, schema: z.toJSONSchema(POW_QUERY.shape.action) } },
    replies: [{ status: 200, description: 'An ALTCHA challenge.', schema: 'Challenge' }, ...errors('HUSH_VALIDATION')],
  },
  {
    method: 'post', path: '/v1/events', summary: 'Send your app\'s account events (docs/detection.md).', tag: 'detection', scope: 'events',
    request: { schema: 'Events', example: [{ name: 'users.login.failure', at: 1767261600000, 'usr.login': email1, 'usr.exists': true, 'network.client.ip': '203.0.113.9' }] },
    replies: [{ status: 202, description: 'The good events are kept; each bad one is listed.', schema: 'EventsAccepted', examples: { accepted: { accepted: 1, rejected: [] } } }, ...errors(...KEYED, 'HUSH_VALIDATION', 'HUSH_BODY_MALFORMED', 'HUSH_BODY_TOO_LARGE')],
  },
  {
    method: 'get', path: '/v1/signals', summary: 'Detection signals, newest first.', tag: 'detection', scope: 'admin',
    query: {
      since: { description: 'ISO time or epoch ms.', schema: { type: 'string' } },
      severity: { description: 'Lowest severity.', schema: { type: 'string' } },
      rule: { description: 'A rule id.', schema: { type: 'string' } },
      limit: { description: '1 to 500.', schema: { type: 'integer' } },
      cursor: { description: 'From the previous page\'s `next`.', schema: { type: 'string' } },
    },
    replies: [{ status: 200, description: 'A page of signals.', schema: 'Signals' }, ...errors(...KEYED, 'HUSH_VALIDATION')],
  },
  { method: 'get', path: '/v1/signals/{id}', summary: 'One signal.', tag: 'detection', scope: 'admin', replies: [{ status: 200, description: 'The signal.', schema: 'Signal' }, ...errors(...KEYED, 'HUSH_NOT_FOUND')] },
  { method: 'get', path: '/admin/v1/blocks', summary: 'The block list.', tag: 'admin', scope: 'admin', replies: [{ status: 200, description: 'Every live block.', schema: 'Blocks' }, ...errors(...KEYED)] },
  {
    method: 'post', path: '/admin/v1/blocks', summary: 'Block an address or range for a while.', tag: 'admin', scope: 'admin',
    request: { schema: 'Block', example: { cidr: '203.0.113.0/24', for: '1h', reason: 'credential stuffing' } },
    replies: [{ status: 201, description: 'The block.', schema: 'BlockCreated' }, ...errors(...KEYED, 'HUSH_VALIDATION', 'HUSH_BODY_MALFORMED', 'HUSH_BODY_TOO_LARGE')],
  },
  { method: 'delete', path: '/admin/v1/blocks/{id}', summary: 'Lift a block.', tag: 'admin', scope: 'admin', replies: [{ status: 204, description: 'Lifted.' }, ...errors(...KEYED, 'HUSH_NOT_FOUND')] },
  {
    method: 'post', path: '/v1/login/second-factor', summary: 'The second step of a sign-in for an account with TOTP: a code, or a recovery code, opens the session.', tag: 'account', secondStep: true,
    request: { schema: 'SecondFactorLogin', example: { code: '492039' } },
    replies: [
      ok(SIGNED_IN_WITH_FACTOR, 'SIGNED_IN_WITH_FACTOR', 'Signed in (sets the session cookie); the step is spent and its cookie cleared.'),
      ...errors(...GUARDED, 'HUSH_SECOND_FACTOR_INVALID', 'HUSH_SECOND_STEP_EXPIRED', 'HUSH_INSECURE_TRANSPORT'),
    ],
  },
  {
    method: 'post', path: '/v1/disown', summary: '"This wasn\'t me", from an owner notice: signs every session out, revokes every other token and mails a reset link (the TOTP-added notice\'s link removes TOTP too).', tag: 'account',
    request: { schema: 'DisownToken', example: { token: 'mRzLq0b1d9V8cA2x7kT3eW5yN4uH6jP0sF1gD8aZ2cE' } },
    replies: [ok(DISOWNED, 'DISOWNED', 'Done; the session cookie is cleared.'), ...errors(...TOKEN)],
  },
  {
    method: 'get', path: '/v1/totp', summary: 'Whether TOTP is on, and how many recovery codes are left.', tag: 'account', cookie: true,
    replies: [{ status: 200, description: 'The second factor\'s state.', schema: 'TotpStatus', examples: { on: { totp: true, recovery_codes_left: 9 }, off: { totp: false, recovery_codes_left: 0 } } }, ...errors(...SIGNED_IN)],
  },
  {
    method: 'post', path: '/v1/totp/setup', summary: 'Start setting up TOTP: a new secret, shown once (a new setup replaces an unconfirmed one).', tag: 'account', cookie: true,
    replies: [
      { status: 200, description: 'The secret, kept sealed until a first code confirms it.', schema: 'TotpSetup', examples: { setup: { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/hush:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=hush&algorithm=SHA1&digits=6&period=30' } } },
      ...errors(...SIGNED_IN, 'HUSH_CSRF', 'HUSH_TOTP_ALREADY_ENABLED'),
    ],
  },
  {
    method: 'post', path: '/v1/totp/confirm', summary: 'Put TOTP in force with a first code from the app; the owner is mailed.', tag: 'account', cookie: true,
    request: { schema: 'TotpCode', example: { code: '492039' } },
    replies: [
      { status: 200, description: 'On; ten recovery codes, shown this once.', schema: 'RecoveryCodes', examples: { recovery_codes: { recovery_codes: CODES } } },
      ...errors(...SIGNED_IN, ...BODY, 'HUSH_SECOND_FACTOR_INVALID', 'HUSH_TOTP_ALREADY_ENABLED', 'HUSH_TOTP_NOT_PENDING'),
    ],
  },
  {
    method: 'delete', path: '/v1/totp', summary: 'Remove TOTP and every recovery code, with a fresh code or a recovery code; the owner is mailed.', tag: 'account', cookie: true,
    request: { schema: 'Factor', example: { code: '492039' } },
    replies: [
      ok({ status: 200, body: { status: 'totp_removed', message: 'The authenticator app was removed. Signing in no longer asks for a code.' } }, 'totp_removed', 'Removed.'),
      ...errors(...SIGNED_IN, ...BODY_READ, 'HUSH_TOTP_NOT_ENABLED', 'HUSH_SECOND_FACTOR_REQUIRED', 'HUSH_SECOND_FACTOR_INVALID', 'HUSH_RATE_LIMITED'),
    ],
  },
  {
    method: 'post', path: '/v1/totp/recovery-codes', summary: 'Ten new recovery codes, with a fresh code from the app (not a recovery code); the old ones stop working; the owner is mailed.', tag: 'account', cookie: true,
    request: { schema: 'TotpCode', example: { code: '492039' } },
    replies: [
      { status: 200, description: 'The new codes, shown this once.', schema: 'RecoveryCodes', examples: { recovery_codes: { recovery_codes: CODES } } },
      ...errors(...SIGNED_IN, ...BODY_READ, 'HUSH_TOTP_NOT_ENABLED', 'HUSH_SECOND_FACTOR_REQUIRED', 'HUSH_SECOND_FACTOR_INVALID', 'HUSH_RATE_LIMITED'),
    ],
  },
  {
    method: 'get', path: '/v1/sessions', summary: 'The live sessions of the signed-in account, most recently used first.', tag: 'account', cookie: true,
    replies: [
      { status: 200, description: 'The sessions; none carries anything that opens it.', schema: 'Sessions', examples: { sessions: { sessions: [{ id: 'sJ1xq8Zr0bT4mW2vK9cY3n', device: 'Firefox on Linux', created_at: '2026-06-01T12:00:00.000Z', last_seen_at: '2026-06-01T12:04:00.000Z', current: true }] } } },
      ...errors(...SIGNED_IN),
    ],
  },
  {
    method: 'delete', path: '/v1/sessions/{id}', summary: 'Sign out one session of the account.', tag: 'account', cookie: true, params: { id: 'A session\'s `id` from GET /v1/sessions.' },
    replies: [{ status: 204, description: 'Signed out.' }, ...errors(...SIGNED_IN, 'HUSH_CSRF', 'HUSH_NOT_FOUND')],
  },
  {
    method: 'delete', path: '/v1/sessions', summary: 'Sign out every other session of the account.', tag: 'account', cookie: true,
    replies: [{ status: 200, description: 'How many were signed out.', schema: 'OthersSignedOut', examples: { signed_out_others: { status: 'signed_out_others', revoked: 2 } } }, ...errors(...SIGNED_IN, 'HUSH_CSRF')],
  },
  { method: 'get', path: '/v1/openapi.json', summary: 'This document.', tag: 'account', replies: [{ status: 200, description: 'OpenAPI 3.1.' }] },
];
