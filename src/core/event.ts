/**
 * Account events, named as Datadog's App and API Protection names them
 * (`users.login.success`, `users.login.failure`, `users.signup`,
 * `users.password_reset`, …) plus hush's own `hush.*`. An event carries who
 * was named (`usr.login`, normalized), the identity when known (`usr.id`),
 * whether it exists (`usr.exists`), the client, and a time. Never a password,
 * a token or a session id.
 */
export const EVENT_NAMES = [
  'users.signup',
  'users.login.success',
  'users.login.failure',
  'users.password_reset',
  'users.password_reset.success',
  'users.password_change',
  'users.magic_link',
  'users.magic_link.success',
  'users.verify',
  'users.logout',
  'users.login.second_factor',
  'users.totp.enabled',
  'users.totp.disabled',
  'users.recovery_codes.regenerated',
  'users.session.revoked',
  'users.disown',
  'hush.guard.rate_limit',
  'hush.guard.throttle',
  'hush.guard.honeypot',
  'hush.guard.pow_failure',
  'hush.guard.blocked',
] as const;

export type KnownEventName = (typeof EVENT_NAMES)[number];

export interface AccountEvent {
  /** A known name, or another app's own `namespace.name`. */
  name: string;
  /** Milliseconds since the epoch. */
  at: number;
  'usr.login'?: string;
  'usr.id'?: string;
  'usr.exists'?: boolean;
  'network.client.ip'?: string;
  'http.useragent'?: string;
  /** Which app sent it: `hush` for the server's own flows, the API key's name otherwise. */
  source?: string;
  /** Further fields (flat, strings, numbers or booleans), e.g. the guard that decided. */
  attrs?: Record<string, string | number | boolean>;
}

/** Where flows and guards put their events; the outbox-backed store and the detection engine implement it. */
export interface EventSink {
  record(event: AccountEvent): Promise<void>;
}
