/**
 * Owner notices: mail to an account's stored address when something about
 * its security changed (a sign-in from a new device, TOTP added or removed,
 * recovery codes used or made anew), each with a "this wasn't me" link. They
 * are written in the transaction of the change, through the outbox, and are
 * only ever caused by someone who already proved the account (a password
 * and second factor, a session): nothing in them depends on what a stranger
 * can observe, and no reply says whether one was sent.
 */
import type { Identity } from '../identity.js';
import type { Repositories } from '../repositories.js';
import type { FlowDeps, RequestMeta } from './context.js';
import { tokenLink } from './context.js';
import { describeDevice } from '../device.js';

export const NOTICE_KINDS = ['new-device', 'totp-enabled', 'totp-disabled', 'recovery-code-used', 'recovery-codes-regenerated'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** Notices per account per hour: past it, a burst (a script, a loop) is not allowed to flood the owner's inbox. */
export const NOTICES_PER_HOUR = 10;
/** How long a "this wasn't me" link works. */
export const DISOWN_TTL_MS = 7 * 24 * 3_600_000;

/** Queues one notice, if the account's budget allows: with a fresh single-use "this wasn't me" link. */
export async function notifyOwner(tx: Repositories, deps: Pick<FlowDeps, 'clock' | 'tokens' | 'settings'>, identity: Pick<Identity, 'id' | 'email'>, kind: NoticeKind, meta: RequestMeta): Promise<boolean> {
  const now = deps.clock.now();
  if (!(await tx.secondFactors.takeNotice(identity.id, new Date(now), new Date(now - 3_600_000), NOTICES_PER_HOUR))) return false;
  // Issuing revokes the older link: only the newest notice's link works, and each works once.
  // The link of the TOTP-added notice also removes TOTP: else whoever added it would hold the reset it starts.
  const purpose = kind === 'totp-enabled' ? 'disown_totp' : 'disown';
  const token = await deps.tokens.issue(tx.tokens, purpose, { identityId: identity.id }, DISOWN_TTL_MS);
  await tx.outbox.enqueue('mail', {
    to: identity.email,
    template: 'account-notice',
    vars: { kind, device: describeDevice(meta.userAgent), link: tokenLink(deps.settings, 'disown', token) },
  });
  return true;
}
