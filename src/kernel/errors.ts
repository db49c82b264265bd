/**
 * One registry of error codes (after Fastify's): code → HTTP status and a fixed
 * public message. docs/errors.md lists the same codes; a test keeps both in step.
 * Messages never carry secrets or identifiers: details name fields and reasons only.
 */
export const ERROR_CODES = {
  HUSH_VALIDATION: { status: 400, message: 'The request is not valid.' },
  HUSH_BODY_MALFORMED: { status: 400, message: 'The request body could not be read.' },
  HUSH_BODY_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  HUSH_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send application/json or application/x-www-form-urlencoded.' },
  HUSH_UNAUTHORIZED: { status: 401, message: 'Sign in first.' },
  HUSH_LOGIN_FAILED: { status: 401, message: 'That email and password do not match. Try again, or reset your password.' },
  HUSH_PASSWORD_MISMATCH: { status: 401, message: 'Your current password is not right. If you signed up with a link and have no password, use "Forgot password" to set one.' },
  HUSH_SECOND_FACTOR_REQUIRED: { status: 401, message: 'Enter the code from your authenticator app, or one of your recovery codes.' },
  HUSH_SECOND_FACTOR_INVALID: { status: 401, message: 'That code is not right, or it was used already. Enter the current code from your app, or a recovery code.' },
  HUSH_SECOND_STEP_EXPIRED: { status: 401, message: 'This sign-in has expired. Enter your email and password again.' },
  HUSH_TOTP_ALREADY_ENABLED: { status: 409, message: 'An authenticator app is already set up. Remove it first to set up another.' },
  HUSH_TOTP_NOT_ENABLED: { status: 409, message: 'No authenticator app is set up on this account.' },
  HUSH_TOTP_NOT_PENDING: { status: 409, message: 'Start setting up an authenticator app first.' },
  HUSH_TOKEN_INVALID: { status: 400, message: 'This link is invalid or has expired. Ask for a new one.' },
  HUSH_API_KEY_INVALID: { status: 401, message: 'Send a valid API key: Authorization: Bearer hush_…' },
  HUSH_API_KEY_SCOPE: { status: 403, message: 'This API key does not have the scope this request needs.' },
  HUSH_FORBIDDEN: { status: 403, message: 'This request is not allowed.' },
  HUSH_CSRF: { status: 403, message: 'The form has expired or came from another site. Reload the page and try again.' },
  HUSH_INSECURE_TRANSPORT: { status: 403, message: 'Use https for this request.' },
  HUSH_NOT_FOUND: { status: 404, message: 'Not found.' },
  HUSH_METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed.' },
  HUSH_RATE_LIMITED: { status: 429, message: 'Too many attempts. Wait a while and try again.' },
  HUSH_POW_REQUIRED: { status: 400, message: 'A proof-of-work solution is required (field "pow").' },
  HUSH_POW_INVALID: { status: 400, message: 'The proof-of-work solution is not valid; fetch a new challenge and solve it.' },
  HUSH_BREACH_CHECK_FAILED: { status: 503, message: 'Your new password could not be checked against known data breaches. Try again in a moment.' },
  HUSH_UNAVAILABLE: { status: 503, message: 'The service is not ready.' },
  HUSH_INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
  HUSH_CONFIG_INVALID: { status: 500, message: 'The configuration is not valid.' },
  HUSH_DATA_DIR_LOCKED: { status: 500, message: 'The data folder is in use by another process.' },
  HUSH_STORE_FAILURE: { status: 500, message: 'The database failed.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  /** The input field the problem is in, e.g. `email` or `events[3].name`. */
  field?: string;
  /** What is wrong with it, in words a person can act on. Never echoes the value. */
  reason: string;
}

export class HushError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: readonly ErrorDetail[];

  constructor(code: ErrorCode, options: { message?: string; details?: readonly ErrorDetail[]; cause?: unknown } = {}) {
    super(options.message ?? ERROR_CODES[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HushError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options.details ?? [];
  }

  /** The JSON a client sees: code, the fixed message, and field-level details. */
  toJSON(): { error: { code: ErrorCode; message: string; details?: readonly ErrorDetail[] } } {
    const body: { code: ErrorCode; message: string; details?: readonly ErrorDetail[] } = { code: this.code, message: this.message };
    if (this.details.length > 0) body.details = this.details;
    return { error: body };
  }
}

/** A validation error naming one field. */
export function validationError(field: string, reason: string): HushError {
  return new HushError('HUSH_VALIDATION', { details: [{ field, reason }] });
}

/** A configuration error: one line naming the setting, the problem and what is allowed. */
export class ConfigError extends Error {
  readonly setting: string;

  constructor(setting: string, problem: string, allowed: string) {
    super(`${setting}: ${problem}; allowed: ${allowed}`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}
