import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testHush, tokenOf } from '../helpers/hush.js';
import { createAccount } from '../helpers/accounts.js';
import type { TestHush } from '../helpers/hush.js';

interface Row {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  delivered_at: Date | null;
  failed_at: Date | null;
}

/**
 * design.md §4.10: the work a request leaves for after its reply is the same
 * for a known and an unknown address. The outbox worker does that work on the
 * thread that releases replies, so a row more in one world is time spent in
 * that world only, landing on whatever request comes next. Each identifier
 * flow therefore queues the same rows, by kind, on both paths; the reset,
 * which mails only a known address, queues a decoy for an unknown one
 * (core/outbox.ts), which the worker composes and drops.
 */
describe('the outbox holds the same work after a known and an unknown address', () => {
  let t: TestHush;
  let n = 0;
  const fresh = (): string => `nobody-${++n}@example.com`;

  beforeAll(async () => {
    t = await testHush({ HUSH_LIMITS: 'off' });
    await createAccount(t, 'known@example.com', 'known passphrase');
    await t.deliver();
  });
  afterAll(async () => t.close());

  const rows = async (): Promise<Row[]> =>
    (await sql<Row>`SELECT id, kind, payload, delivered_at, failed_at FROM outbox ORDER BY created_at, id`.execute(t.hush.database.db)).rows;

  /** The rows one request adds, by kind. */
  const added = async (path: string, body: unknown): Promise<{ kinds: Record<string, number>; rows: Row[] }> => {
    const before = new Set((await rows()).map((r) => r.id));
    const res = await t.request(path, { json: body });
    expect(res.status).toBeLessThan(500);
    const now = (await rows()).filter((r) => !before.has(r.id));
    const kinds: Record<string, number> = {};
    for (const r of now) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
    return { kinds, rows: now };
  };

  const flows: [string, (email: string) => unknown][] = [
    ['/v1/signup', (email) => ({ email })],
    ['/v1/login', (email) => ({ email, password: 'not the password' })],
    ['/v1/recovery', (email) => ({ email })],
    ['/v1/magic-link', (email) => ({ email })],
  ];
  for (const [path, body] of flows) {
    it(`${path}: the same rows, by kind`, async () => {
      const known = await added(path, body('known@example.com'));
      const unknown = await added(path, body(fresh()));
      expect(unknown.kinds).toEqual(known.kinds);
      await t.deliver();
    });
  }

  it('the reset of an unknown address queues a decoy: the same template and link, a token that works nowhere, and no mail to anyone', async () => {
    const known = await added('/v1/recovery', { email: 'known@example.com' });
    const address = fresh();
    const unknown = await added('/v1/recovery', { email: address });
    const [real] = known.rows.filter((r) => r.kind === 'mail');
    const [decoy] = unknown.rows.filter((r) => r.kind === 'mail');
    expect(real!.payload).toMatchObject({ to: 'known@example.com', template: 'recovery' });
    expect(real!.payload.decoy).toBeUndefined();
    expect(decoy!.payload).toMatchObject({ to: address, template: 'recovery', decoy: true });
    // The same link on the origin, with a token as long as a real one: rendering and composing it is the same work.
    const linkOf = (r: Row): string => (r.payload.vars as { link: string }).link;
    expect(linkOf(decoy!)).toMatch(/^https:\/\/id\.example\.test\/reset#token=[A-Za-z0-9_-]{43}$/);
    expect(linkOf(decoy!).length).toBe(linkOf(real!).length);
    // Its token was minted and never stored: it is refused like any unknown token.
    const spent = await t.request('/v1/recovery/confirm', { json: { token: tokenOf(linkOf(decoy!)), password: 'a brand new passphrase' } });
    expect(spent.status).toBe(400);

    const mailbox = await t.mailbox();
    expect(mailbox.filter((m) => m.to.includes(address))).toEqual([]);
    expect(mailbox.filter((m) => m.to.includes('known@example.com') && m.links.some((l) => l === linkOf(real!)))).toHaveLength(1);
    // Both settled the same way, and neither keeps its link; the decoy says what it was.
    const settled = (await rows()).filter((r) => r.id === real!.id || r.id === decoy!.id);
    expect(settled.every((r) => r.delivered_at !== null && r.failed_at === null)).toBe(true);
    expect(settled.find((r) => r.id === decoy!.id)?.payload).toEqual({ to: address, template: 'recovery', scrubbed: true, decoy: true });
    expect(JSON.stringify(settled)).not.toContain('#token=');
  });
});
