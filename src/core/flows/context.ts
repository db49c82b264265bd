import type { Clock } from '../../kernel/clock.js';
import type { Random } from '../../kernel/random.js';
import type { AccountStore, Repositories } from '../repositories.js';
import type { PasswordHasher } from '../password.js';
import type { PasswordPolicy } from '../password-policy.js';
import type { Tokens } from '../token.js';
import type { Sessions } from '../session.js';
import type { AccountEvent } from '../event.js';
import type { Reply } from './reply.js';
import { resolveReturnTo } from '../return-to.js';
import type { SecondFactor } from '../second-factor.js';
import type { BreachedPasswordCheck } from '../breached.js';

/** Where links in mail point and how long tokens live. Links come from the configured origin only. */
export interface FlowSettings {
  origin: string;
  recoveryTtlMs: number;
  magicTtlMs: number;
  verifyTtlMs: number;
  /** HUSH_BASE_PATH: hush's pages live under it (`/auth`); empty or absent at the root. */
  basePath?: string;
  /** HUSH_RETURN_TO_ORIGINS: where a `return_to` may point besides `origin` (core/return-to.ts). */
  returnToOrigins?: readonly string[];
}

/** Everything the flows use, passed explicitly (no container). */
export interface FlowDeps {
  store: AccountStore;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  tokens: Tokens;
  sessions: Sessions;
  clock: Clock;
  random: Random;
  settings: FlowSettings;
  /** TOTP, recovery codes and the second step of a sign-in (core/second-factor.ts). */
  secondFactor: SecondFactor;
  /** Breached-password check (HUSH_BREACHED_PASSWORDS); absent when off. */
  breached?: BreachedPasswordCheck;
}

/** Who asked: recorded on events, never used to decide a reply. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

/** A new session to hand to the client (the HTTP layer sets the cookie). */
export interface NewSession {
  token: string;
  expiresAt: Date;
}

/** What a flow decided: its reply, and the session it opened or closed, if any. Mail and events are already in the outbox. */
export interface Outcome {
  reply: Reply;
  session?: NewSession;
  clearSession?: boolean;
  /** The second step of a sign-in opened (a correct password, an account with TOTP): its short-lived cookie. */
  secondStep?: NewSession;
  /** The second step is over (spent or expired): clear its cookie. */
  clearSecondStep?: boolean;
}

/**
 * A link on the configured origin, with the token in the fragment so it never reaches a server log or a Referer.
 * An accepted `return_to` rides in the query (the page carries it through its form); it is the caller's, never an account's.
 */
export function tokenLink(settings: FlowSettings, page: 'reset' | 'verify' | 'magic' | 'disown', token: string, returnTo: string | null = null): string {
  return `${pageLink(settings, page, returnTo)}#token=${token}`;
}

export function pageLink(settings: FlowSettings, page: 'login' | 'forgot' | 'signup' | 'reset' | 'verify' | 'magic' | 'disown', returnTo: string | null = null): string {
  const query = returnTo === null ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
  return `${settings.origin}${settings.basePath ?? ''}/${page}${query}`;
}

/** The caller's `return_to` field, accepted or null (a refused one is dropped: the default page, never an error). */
export function returnToOf(input: Readonly<Record<string, unknown>>, settings: FlowSettings): string | null {
  return resolveReturnTo(input.return_to, { origin: settings.origin, origins: settings.returnToOrigins ?? [] });
}

/** Writes an event as an outbox row, in the flow's transaction: it is never lost. */
export async function recordEvent(
  tx: Repositories,
  deps: Pick<FlowDeps, 'clock'>,
  meta: RequestMeta,
  event: Omit<AccountEvent, 'at' | 'network.client.ip' | 'http.useragent' | 'source'>,
): Promise<void> {
  const full: AccountEvent = { ...event, at: deps.clock.now(), 'network.client.ip': meta.ip, source: 'hush' };
  if (meta.userAgent !== null) full['http.useragent'] = meta.userAgent.slice(0, 512);
  await tx.outbox.enqueue('event', full);
}

/** Reads a required string field (validation that depends only on the input). */
export function stringField(input: Readonly<Record<string, unknown>>, field: string, max = 4096): string | null {
  const v = input[field];
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : null;
}
