import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ManualClock } from '../../src/kernel/clock.js';
import { ConsoleAccessStore } from '../../src/store/console-access.js';
import { FRESH_SIGN_IN_MS } from '../../src/http/console/access.js';
import { observable, testHush } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';
import { enableTotp, identityWithSession, seedEnumeration } from './console-helpers.js';

/**
 * The security console over HTTP (in-process): who may enter (everyone else
 * gets the app's own 404, byte for byte), the pages an operator sees, and the
 * actions (block, extend, lift, rule switch, reveal), each recorded as an
 * event with the operator's id and refused from another site.
 */
const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };
const ATTACKER = '203.0.113.77';
const PATHS = ['/console', '/console/', '/console/signals', '/console/signals/sig-enum-1', '/console/answers', '/console/events?identifier=victim0%40example.com', '/console/nothing-here', '/console/assets/x.css'];
const POSTS = ['/console/blocks', '/console/blocks/x/lift', '/console/rules/password-reset-enumeration', '/console/events/1/reveal'];

describe('the security console', () => {
  let t: TestHush;
  const clock = new ManualClock(Date.now());
  let operator: { id: string; cookie: string };
  let member: { id: string; cookie: string };

  beforeAll(async () => {
    t = await testHush({}, { clock });
    operator = await identityWithSession(t, 'ops@example.com', { operator: true });
    member = await identityWithSession(t, 'member@example.com', { operator: false });
    await seedEnumeration(t, ATTACKER);
  });
  afterAll(() => t.close());

  const get = (path: string, cookie?: string): Promise<Response> => t.request(path, { headers: cookie === undefined ? {} : { cookie } });
  const post = (path: string, form: Record<string, string>, cookie?: string, headers: Record<string, string> = SAME_ORIGIN): Promise<Response> =>
    t.request(path, { form, headers: { ...headers, ...(cookie === undefined ? {} : { cookie }) } });

  it('answers everyone but an operator with the app 404, byte for byte, on every path and method', async () => {
    const notFound = await observable(await get('/no-such-page'));
    const notFoundPost = await observable(await post('/no-such-page', { a: 'b' }));
    expect(notFound.status).toBe(404);
    for (const who of [undefined, member.cookie, '__Host-hush_session=not-a-session']) {
      for (const path of PATHS) expect({ path, ...(await observable(await get(path, who))) }).toEqual({ path, ...notFound });
      for (const path of POSTS) expect({ path, ...(await observable(await post(path, { cidr: ATTACKER, for: '1h', reason: 'x', enabled: 'off' }, who))) }).toEqual({ path, ...notFoundPost });
    }
    expect(await t.hush.guards.listBlocks()).toEqual([]);
  });

  it('lets an operator in, with a strict CSP and no script, and its unknown paths are the same 404', async () => {
    const res = await get('/console', operator.cookie);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    const html = await res.text();
    expect(html).not.toContain('<script');
    expect(html).toContain('<svg class="chart"');
    // The seeded signal is marked on the reset chart and links to its page.
    expect(html).toContain('href="/console/signals/sig-enum-1"');
    expect(html).toContain(ATTACKER);
    const notFound = await observable(await get('/no-such-page'));
    expect(await observable(await get('/console/nothing-here', operator.cookie))).toEqual(notFound);
    const css = await get((/href="(\/assets\/console\.css\?v=[0-9a-f]+)"/.exec(html) ?? [])[1] ?? '/missing');
    expect(css.status).toBe(200);
  });

  it('shows a signal with its rule, masked identifiers, its group timeline and the form to block its address', async () => {
    const res = await get('/console/signals/sig-enum-1', operator.cookie);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('password-reset-enumeration');
    expect(html).toContain('v***@example.com');
    expect(html).not.toContain('victim0@example.com');
    expect(html).toContain('tl-users-password_reset');
    expect(html).toContain('action="/console/blocks"');
    const list = await (await get('/console/signals?severity=medium&state=open', operator.cookie)).text();
    expect(list).toContain('/console/signals/sig-enum-1');
    const none = await (await get('/console/signals?severity=critical', operator.cookie)).text();
    expect(none).not.toContain('/console/signals/sig-enum-1');
  });

  it('blocks the address from the signal page (recorded with the operator id); its next reset is answered silently', async () => {
    const refused = await post('/console/blocks', { cidr: ATTACKER, for: '1h', reason: 'x', signal: 'sig-enum-1' }, operator.cookie, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(refused.status).toBe(403);
    expect(await t.hush.guards.listBlocks()).toEqual([]);

    const done = await post('/console/blocks', { cidr: ATTACKER, for: '1h', reason: 'console, signal sig-enum-1: enumeration', signal: 'sig-enum-1' }, operator.cookie);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/console/signals/sig-enum-1?done=blocked');
    const blocks = await t.hush.guards.listBlocks();
    expect(blocks.map((b) => [b.cidr, b.source])).toEqual([[`${ATTACKER}/32`, 'console']]);
    const page = await (await get('/console/signals/sig-enum-1?done=blocked', operator.cookie)).text();
    expect(page).toContain(`${ATTACKER}/32</span> by console`);

    const reply = await t.request('/v1/recovery', { json: { email: 'victim0@example.com' } }, ATTACKER);
    expect(reply.status).toBe(202);
    await t.deliver();
    const events = await t.hush.stores.events.list({ limit: 1000 });
    expect(events.filter((e) => e.name === 'hush.guard.blocked' && e['network.client.ip'] === ATTACKER)).toHaveLength(1);
    const recorded = events.filter((e) => e.name === 'hush.console.block');
    expect(recorded.map((e) => [e['usr.id'], e.attrs?.cidr, e.attrs?.signal])).toEqual([[operator.id, ATTACKER, 'sig-enum-1']]);
  });

  it('extends and lifts a block with a reason, and refuses one without', async () => {
    const [block] = await t.hush.guards.listBlocks();
    if (block === undefined) throw new Error('no block');
    expect((await post(`/console/blocks/${block.id}/extend`, { for: '24h', reason: '' }, operator.cookie)).status).toBe(400);
    expect((await post(`/console/blocks/${block.id}/extend`, { for: '24h', reason: 'still at it' }, operator.cookie)).status).toBe(303);
    const [longer] = await t.hush.guards.listBlocks();
    expect(longer?.expiresAt).toBe(block.expiresAt + 24 * 3_600_000);
    expect(longer?.id).not.toBe(block.id);
    const answers = await (await get('/console/answers?done=extended', operator.cookie)).text();
    expect(answers).toContain('The block is extended');
    expect(answers).toContain('still at it');
    expect((await post(`/console/blocks/${longer?.id ?? ''}/lift`, { reason: 'a proxy of ours' }, operator.cookie)).status).toBe(303);
    expect(await t.hush.guards.listBlocks()).toEqual([]);
    expect((await post('/console/blocks', { cidr: 'not-an-address', for: '1h', reason: 'x' }, operator.cookie)).status).toBe(400);
    await t.deliver();
    const names = (await t.hush.stores.events.list({ limit: 1000 })).filter((e) => e.name.startsWith('hush.console.')).map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['hush.console.extend', 'hush.console.lift']));
  });

  it('switches a rule off for the instance, stores the change, and on again', async () => {
    const engine = t.hush.detect.detection.engine;
    expect(engine.runs('password-reset-enumeration')).toBe(true);
    expect((await post('/console/rules/password-reset-enumeration', { enabled: 'off', reason: 'load test' }, operator.cookie)).status).toBe(303);
    expect(engine.runs('password-reset-enumeration')).toBe(false);
    const stored = await new ConsoleAccessStore(t.hush.database.db).rules();
    expect(stored.map((s) => [s.ruleId, s.enabled, s.changedBy])).toEqual([['password-reset-enumeration', false, operator.id]]);
    // Switched off, the rule raises nothing for six distinct resets from one address.
    const found = await engine.observe({ name: 'users.password_reset', at: clock.now(), 'usr.login': 'a@x.test', 'network.client.ip': '192.0.2.9' });
    expect(found.changes).toEqual([]);
    expect((await post('/console/rules/password-reset-enumeration', { enabled: 'on', reason: 'done' }, operator.cookie)).status).toBe(303);
    expect(engine.runs('password-reset-enumeration')).toBe(true);
    expect((await post('/console/rules/no-such-rule', { enabled: 'off', reason: 'x' }, operator.cookie)).status).toBe(400);
  });

  it('searches events by identifier, address and network, masked until revealed, and records the reveal', async () => {
    const byId = await get('/console/events?identifier=%20Victim0%40Example.com', operator.cookie);
    expect(byId.status).toBe(200);
    const html = await byId.text();
    expect(html).toContain('v***@example.com');
    expect(html).not.toContain('victim0@example.com');
    const byNet = await (await get('/console/events?network=203.0.113.0%2F24&name=users.password_reset', operator.cookie)).text();
    expect(byNet.match(/<td class="mono">users\.password_reset<\/td>/g)?.length).toBe(6);
    expect((await get('/console/events?address=999.1.1.1', operator.cookie)).status).toBe(400);
    const id = (/action="\/console\/events\/(\d+)\/reveal"/.exec(html) ?? [])[1] ?? '';
    const revealed = await post(`/console/events/${id}/reveal`, {}, operator.cookie);
    expect(revealed.status).toBe(200);
    expect(await revealed.text()).toContain('victim0@example.com');
    await t.deliver();
    const reveal = (await t.hush.stores.events.list({ limit: 1000 })).filter((e) => e.name === 'hush.console.reveal');
    expect(reveal.map((e) => [e['usr.id'], e.attrs?.event_id])).toEqual([[operator.id, id]]);
  });

  it('keeps event_counts equal to the events it counts (the triggers on events, on the embedded store)', async () => {
    await t.deliver();
    const rows = await sql<{ width: number; counted: string; events: string }>`
      SELECT w AS width, (SELECT coalesce(sum(n), 0) FROM event_counts WHERE width = w)::text AS counted, (SELECT count(*) FROM events)::text AS events
      FROM (VALUES (60), (900), (3600)) AS widths(w)`.execute(t.hush.database.db);
    expect(rows.rows.length).toBe(3);
    for (const r of rows.rows) expect([r.width, r.counted]).toEqual([r.width, r.events]);
    expect(Number(rows.rows[0]?.events)).toBeGreaterThan(6);
  });

  it('turns a sign-in older than 12 hours, or a role taken back, into the 404', async () => {
    const notFound = await observable(await get('/no-such-page'));
    const fresh = await identityWithSession(t, 'late@example.com', { operator: true });
    expect((await get('/console', fresh.cookie)).status).toBe(200);
    clock.advance(FRESH_SIGN_IN_MS + 1000);
    expect(await observable(await get('/console', fresh.cookie))).toEqual(notFound);
    const again = await identityWithSession(t, 'again@example.com', { operator: true });
    expect((await get('/console/answers', again.cookie)).status).toBe(200);
    await new ConsoleAccessStore(t.hush.database.db).revoke(again.id);
    expect(await observable(await get('/console/answers', again.cookie))).toEqual(notFound);
  });

  it('asks an operator for TOTP: without it, or with a session opened before it was turned on, the 404', async () => {
    const notFound = await observable(await get('/no-such-page'));
    const without = await identityWithSession(t, 'nototp@example.com', { operator: true, totp: false });
    expect(await observable(await get('/console', without.cookie))).toEqual(notFound);
    // TOTP turned on after this session was opened: the session never passed a second factor.
    await enableTotp(t, without.id, new Date(clock.now() + 1000));
    expect(await observable(await get('/console', without.cookie))).toEqual(notFound);
    // In force since before the session: it could only have been opened through the second step.
    await enableTotp(t, without.id, new Date(clock.now() - 1000));
    expect((await get('/console', without.cookie)).status).toBe(200);
  });
});
