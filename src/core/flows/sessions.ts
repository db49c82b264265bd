/**
 * The owner's sessions: the live ones listed (the device from the user
 * agent, times to the minute, this one marked), one signed out, or every
 * other. A session is named by an id derived from its stored hash, so the
 * list never carries anything that opens a session.
 */
import { createHash } from 'node:crypto';
import type { Identity } from '../identity.js';
import type { SessionRecord } from '../session.js';
import { hashToken } from '../token.js';
import { describeDevice } from '../device.js';
import type { FlowDeps, RequestMeta } from './context.js';
import { recordEvent } from './context.js';

export interface SessionView {
  id: string;
  device: string;
  /** ISO times rounded down to the minute: approximate on purpose. */
  created_at: string;
  last_seen_at: string;
  current: boolean;
}

export function sessionId(hash: string): string {
  return createHash('sha256').update(`hush session id\0${hash}`).digest('base64url').slice(0, 22);
}

function toMinute(d: Date): string {
  return new Date(Math.floor(d.getTime() / 60_000) * 60_000).toISOString();
}

function view(s: SessionRecord, currentHash: string): SessionView {
  return { id: sessionId(s.hash), device: describeDevice(s.userAgent), created_at: toMinute(s.createdAt), last_seen_at: toMinute(s.lastSeenAt), current: s.hash === currentHash };
}

export async function listSessions(deps: FlowDeps, identity: Identity, currentToken: string): Promise<SessionView[]> {
  const rows = await deps.store.sessions.listFor(identity.id, new Date(deps.clock.now()));
  const current = hashToken(currentToken);
  return rows.map((s) => view(s, current));
}

/** Signs out the identity's session with this id (its own only); false when there is none. */
export async function revokeSession(deps: FlowDeps, identity: Identity, id: string, meta: RequestMeta): Promise<boolean> {
  const rows = await deps.store.sessions.listFor(identity.id, new Date(deps.clock.now()));
  const target = rows.find((s) => sessionId(s.hash) === id);
  if (target === undefined) return false;
  await deps.store.transaction(async (tx) => {
    await tx.sessions.delete(target.hash);
    await recordEvent(tx, deps, meta, { name: 'users.session.revoked', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true });
  });
  return true;
}

/** Signs out every session of the identity but the one making the request. */
export async function revokeOtherSessions(deps: FlowDeps, identity: Identity, currentToken: string, meta: RequestMeta): Promise<number> {
  return deps.store.transaction(async (tx) => {
    const n = await deps.sessions.revokeAll(tx.sessions, identity.id, currentToken);
    await recordEvent(tx, deps, meta, { name: 'users.session.revoked', 'usr.login': identity.email, 'usr.id': identity.id, 'usr.exists': true, attrs: { others: n } });
    return n;
  });
}
