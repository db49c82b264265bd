import { validationError } from '../../kernel/errors.js';
import type { Identity } from '../identity.js';
import { MAX_PASSWORD_LENGTH } from '../password-policy.js';
import { errorReplyOf, reply } from './reply.js';
import { recordEvent } from './context.js';
import type { FlowDeps, Outcome, RequestMeta } from './context.js';

export const PASSWORD_CHANGED = reply(200, { status: 'password_changed', message: 'Your password has been changed. Your other sessions were signed out.' });
export const PASSWORD_CHANGE_REFUSED = errorReplyOf('HUSH_PASSWORD_MISMATCH');
export const LOGGED_OUT = reply(204, null);

export interface PasswordChangeInput {
  /** The current password; may be empty when the identity has none. */
  current: string;
  password: string;
  /** Filled by the HTTP layer from the session, never from the body. */
  identity: Identity;
  sessionToken: string;
  sessionCreatedAt: Date;
}

/** Validates a password change from the input alone (runs inside the envelope, before any lookup). */
export function parsePasswordChange(input: Readonly<Record<string, unknown>>, deps: Pick<FlowDeps, 'policy'>): { current: string; password: string } {
  const current = input.current ?? '';
  if (typeof current !== 'string') throw validationError('current', 'must be text');
  if (current.length > MAX_PASSWORD_LENGTH * 4) throw validationError('current', `must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return { current, password: deps.policy.check(input.password) };
}

/** How recently a session must have been opened to set a first password without a current one. */
export const FRESH_SESSION_MS = 15 * 60_000;

/** Whether a session opened at `createdAt` may still set a first password without a current one (FRESH_SESSION_MS). */
export function isFreshSession(createdAt: Date, now: number): boolean {
  return now - createdAt.getTime() <= FRESH_SESSION_MS;
}

/**
 * Change the password of the signed-in identity: the current one must match;
 * other sessions and every outstanding token are revoked; the owner is told.
 * An identity with no password (every new sign-up, once its link is opened,
 * and one made by a magic link) sets its first one from a session opened in the last 15 minutes:
 * opening it proved the mailbox just now.
 */
export async function changePassword(deps: FlowDeps, input: PasswordChangeInput, meta: RequestMeta): Promise<Outcome> {
  await deps.breached?.check(input.password);
  const firstPassword = input.identity.passwordHash === null && isFreshSession(input.sessionCreatedAt, deps.clock.now());
  // With no stored hash this verifies against the dummy: the same work either way.
  const matches = await deps.hasher.verify(input.identity.passwordHash, input.current);
  if (!matches && !firstPassword) return { reply: PASSWORD_CHANGE_REFUSED };
  const passwordHash = await deps.hasher.hash(input.password);
  await deps.store.transaction(async (tx) => {
    await tx.identities.setPassword(input.identity.id, passwordHash, new Date(deps.clock.now()));
    await deps.sessions.revokeAll(tx.sessions, input.identity.id, input.sessionToken);
    // With the address: a magic link asked for before the account existed is the identity's token too.
    // Only a signed-in identity gets here, so this adds nothing an unknown account could be told apart by.
    await tx.tokens.revokeAllFor(input.identity.id, input.identity.email);
    await tx.outbox.enqueue('mail', { to: input.identity.email, template: 'password-changed', vars: { link: `${deps.settings.origin}/forgot` } });
    await recordEvent(tx, deps, meta, { name: 'users.password_change', 'usr.login': input.identity.email, 'usr.id': input.identity.id, 'usr.exists': true });
  });
  return { reply: PASSWORD_CHANGED };
}

/** Revokes the session behind the cookie, if any; always the same reply. */
export async function logout(deps: FlowDeps, sessionToken: string | null, meta: RequestMeta): Promise<Outcome> {
  if (sessionToken !== null) {
    const found = await deps.sessions.validate(deps.store.sessions, sessionToken);
    await deps.sessions.revoke(deps.store.sessions, sessionToken);
    if (found !== null) {
      await deps.store.transaction((tx) =>
        recordEvent(tx, deps, meta, { name: 'users.logout', 'usr.login': found.identity.email, 'usr.id': found.identity.id, 'usr.exists': true }),
      );
    }
  }
  return { reply: LOGGED_OUT, clearSession: true };
}
