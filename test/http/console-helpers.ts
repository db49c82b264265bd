import type { Signal } from '../../src/detect/signal.js';
import type { AccountEvent } from '../../src/core/event.js';
import { ConsoleAccessStore } from '../../src/store/console-access.js';
import type { TestHush } from '../helpers/hush.js';

/**
 * An identity made straight in the store, optionally an operator, with a session opened now: its cookie. An
 * operator has TOTP in force since a second before (sealed secret as the second-factor store writes it; the
 * console only reads that it is there and when it was turned on), unless `totp` is false.
 */
export async function identityWithSession(t: TestHush, email: string, options: { operator: boolean; totp?: boolean }): Promise<{ id: string; cookie: string }> {
  const { hush } = t;
  const now = new Date(hush.flows.clock.now());
  const id = `id-${email.replace(/[^a-z0-9]/g, '')}`;
  await hush.store.identities.create({ id, email, passwordHash: null, verifiedAt: now, createdAt: now });
  if (options.operator) await new ConsoleAccessStore(hush.database.db).grant(id, now);
  if (options.operator && options.totp !== false) await enableTotp(t, id, new Date(now.getTime() - 1000));
  const { token } = await hush.flows.sessions.create(hush.store.sessions, id, { ip: null, userAgent: null });
  const name = hush.config.origin.startsWith('https:') ? '__Host-hush_session' : 'hush_session';
  return { id, cookie: `${name}=${token}` };
}

/** TOTP in force for `id` since `at`, written as the second-factor store's `enable` writes it. */
export async function enableTotp(t: TestHush, id: string, at: Date): Promise<void> {
  const { hush } = t;
  const { sealed } = hush.flows.secondFactor.newSecret({ id, email: 'operator@example.com' });
  await hush.database.db.updateTable('identities').set({ totp_secret: sealed, totp_enabled_at: at }).where('id', '=', id).execute();
}

/**
 * A reset-enumeration signal from `ip`, as detection stores one, with the
 * events behind it: six resets naming six accounts in the last minutes.
 */
export async function seedEnumeration(t: TestHush, ip: string, id = 'sig-enum-1'): Promise<Signal> {
  const now = t.hush.flows.clock.now();
  const events: AccountEvent[] = Array.from({ length: 6 }, (_, i) => ({
    name: 'users.password_reset',
    at: now - (6 - i) * 20_000,
    'usr.login': `victim${i}@example.com`,
    'usr.exists': i % 2 === 0,
    'network.client.ip': ip,
    'http.useragent': 'python-requests/2.31',
    source: 'hush',
  }));
  await t.hush.stores.events.insert(events);
  const signal: Signal = {
    id,
    ruleId: 'password-reset-enumeration',
    ruleName: 'User enumeration through password reset',
    severity: 'medium',
    group: { 'network.client.ip': ip },
    case: 'existing accounts',
    firstSeen: now - 40_000,
    lastSeen: now - 20_000,
    expiresAt: now + 3_600_000,
    hits: 2,
    evidence: { counts: { 'any accounts': { count: 6, distinct: 6 } }, values: events.map((e) => e['usr.login'] ?? ''), events },
  };
  await t.hush.stores.signals.save({ kind: 'opened', signal });
  return signal;
}
