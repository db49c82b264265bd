import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testHush, tokenOf } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';
import { hashToken } from '../../src/core/token.js';

/**
 * No secret is kept after its use (design.md §4.3, §4.5): once the mail that
 * carries a token is delivered, the token exists in plain text only in the
 * mailbox. Every text of every column of every table is read back and
 * searched; the token's SHA-256 may be there (that is how it is stored),
 * the token may not.
 */
describe('after delivery no raw token is anywhere in the database', () => {
  let t: TestHush;
  beforeAll(async () => {
    t = await testHush();
  });
  afterAll(async () => t.close());

  /** Every column of every table of the schema, as text, in one string per table and column. */
  async function everyText(): Promise<{ where: string; text: string }[]> {
    const db = t.hush.database.db;
    const columns = await sql<{ table_name: string; column_name: string }>`
      SELECT c.table_name, c.column_name
      FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_name, c.ordinal_position`.execute(db);
    const out: { where: string; text: string }[] = [];
    for (const { table_name: table, column_name: column } of columns.rows) {
      const rows = await sql<{ v: string | null }>`SELECT ${sql.ref(column)}::text AS v FROM ${sql.table(table)}`.execute(db);
      out.push({ where: `${table}.${column}`, text: rows.rows.map((r) => r.v ?? '').join('\n') });
    }
    return out;
  }

  it('sign-up, verify, account-exists, reset, magic links (known and unknown), password change: no token survives delivery', async () => {
    const ip = '198.51.100.31';
    // Sign-up and its verification link (spent), then a reset link and magic links (all left live).
    expect((await t.request('/v1/signup', { json: { email: 'kept@example.com', password: 'a long enough passphrase' } }, ip)).status).toBe(202);
    const verify = tokenOf(await t.linkFor('kept@example.com', '/verify#token='));
    const verified = await t.request('/v1/verify', { json: { token: verify } }, ip);
    expect(verified.status).toBe(200);
    const cookie = (verified.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect((await t.request('/v1/signup', { json: { email: 'kept@example.com', password: 'somebody else typing' } }, ip)).status).toBe(202);
    expect((await t.request('/v1/password', { json: { current: 'a long enough passphrase', password: 'another long passphrase' }, headers: { cookie } }, ip)).status).toBe(200);
    expect((await t.request('/v1/recovery', { json: { email: 'kept@example.com' } }, ip)).status).toBe(202);
    const reset = tokenOf(await t.linkFor('kept@example.com', '/reset#token='));
    expect((await t.request('/v1/magic-link', { json: { email: 'kept@example.com' } }, ip)).status).toBe(202);
    const magicKnown = tokenOf(await t.linkFor('kept@example.com', '/magic#token='));
    expect((await t.request('/v1/magic-link', { json: { email: 'nobody-yet@example.com' } }, ip)).status).toBe(202);
    const magicUnknown = tokenOf(await t.linkFor('nobody-yet@example.com', '/magic#token='));
    // A pending sign-up whose verification link stays live.
    expect((await t.request('/v1/signup', { json: { email: 'pending@example.com', password: 'a long enough passphrase' } }, ip)).status).toBe(202);
    const verifyLive = tokenOf(await t.linkFor('pending@example.com', '/verify#token='));

    await t.deliver();
    expect((await t.hush.stores.outbox.stats()).pending).toBe(0);
    const live = [reset, magicKnown, magicUnknown, verifyLive];
    const texts = await everyText();
    expect(texts.some((x) => x.where === 'outbox.payload')).toBe(true);
    // The search can see what is there: each live token's hash is in the tokens table.
    const hashes = texts.find((x) => x.where === 'tokens.hash')?.text ?? '';
    for (const token of live) expect(hashes).toContain(hashToken(token));
    // Every mail that went out is still in the outbox (scrubbed), so the search covered them.
    const mailRows = await t.hush.database.db.selectFrom('outbox').select('id').where('kind', '=', 'mail').execute();
    expect(mailRows.length).toBe((await t.mailbox()).length);
    for (const token of [verify, ...live]) {
      const found = texts.filter((x) => x.text.includes(token)).map((x) => x.where);
      expect(found, `raw token found in ${found.join(', ')}`).toEqual([]);
    }
    // And the live ones still work: scrubbing the outbox revoked nothing.
    expect((await t.request('/v1/magic-link/confirm', { json: { token: magicUnknown } }, ip)).status).toBe(200);
  });
});
