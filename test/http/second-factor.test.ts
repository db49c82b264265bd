import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/kernel/clock.js';
import { base32Decode, totpAt, totpStep } from '../../src/core/totp.js';
import { testHush, tokenOf } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';
import { createAccount, sessionCookieOf } from '../helpers/accounts.js';

const PASSWORD = 'correct horse battery staple';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

// One instance for the file (building one costs seconds on a loaded machine): each test has its own
// account and its own client addresses, and the clock only moves forward.
const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
let t: TestHush;
let ipSeq = 0;
/** A client address no other test uses (the login limits count per address). */
const freshIp = (): string => `203.0.${Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;
let emailSeq = 0;
const freshEmail = (): string => `person${emailSeq++}@example.com`;
/** A local server speaking the range API of Have I Been Pwned, for the breached-password check: BREACHED is in its corpus. */
const BREACHED = 'this one leaked in a breach';
let range: Server;
beforeAll(async () => {
  const digest = createHash('sha1').update(BREACHED).digest('hex').toUpperCase();
  range = createServer((req, res) => {
    const prefix = (req.url ?? '').split('/').pop() ?? '';
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${'0'.repeat(35)}:0\r\n${digest.startsWith(prefix) ? `${digest.slice(5)}:7` : `${'A'.repeat(35)}:1`}`);
  });
  await new Promise<void>((r) => range.listen(0, '127.0.0.1', r));
  const address = range.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  t = await testHush({ HUSH_LIMIT_LOGIN_ADDRESS: '20/15m', HUSH_BREACHED_PASSWORDS: 'fail-closed', HUSH_BREACHED_URL: `http://127.0.0.1:${port}/range/` }, { clock });
}, 60_000);
afterAll(async () => {
  await t.close();
  await new Promise<void>((r) => range.close(() => r()));
});

/** Every cookie a reply set, by name (value, or '' when it was cleared). */
function cookiesOf(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = (pair ?? '').indexOf('=');
    out.set((pair ?? '').slice(0, eq), (pair ?? '').slice(eq + 1));
  }
  return out;
}

interface Enrolled {
  t: TestHush;
  email: string;
  ip: string;
  key: Uint8Array;
  cookie: string;
  recoveryCodes: string[];
  /** The code of the clock's current step, or of a step `offset` away. */
  code(offset?: number): string;
}

async function enrolled(): Promise<Enrolled> {
  const email = freshEmail();
  const ip = freshIp();
  const { cookie } = await createAccount(t, email, PASSWORD, { ip });
  const setup = await t.request('/v1/totp/setup', { method: 'POST', headers: { cookie } }, ip);
  expect(setup.status).toBe(200);
  const { secret, otpauth_uri } = (await setup.json()) as { secret: string; otpauth_uri: string };
  expect(otpauth_uri).toContain(`secret=${secret}`);
  const key = base32Decode(secret);
  if (key === null) throw new Error('secret is not base32');
  const code = (offset = 0): string => totpAt(key, totpStep(clock.now()) + offset);
  const confirm = await t.request('/v1/totp/confirm', { json: { code: code() }, headers: { cookie } }, ip);
  expect(confirm.status).toBe(200);
  const { recovery_codes } = (await confirm.json()) as { recovery_codes: string[] };
  expect(recovery_codes).toHaveLength(10);
  clock.advance(30_000);
  return { t, email, ip, key, cookie, recoveryCodes: recovery_codes, code };
}

async function passwordStep(e: Enrolled, ip = e.ip): Promise<string> {
  const res = await e.t.request('/v1/login', { json: { email: e.email, password: PASSWORD } }, ip);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { status: string }).status).toBe('second_factor_required');
  const cookies = cookiesOf(res);
  expect([...cookies.keys()]).toEqual(['__Host-hush_second_step']);
  return `__Host-hush_second_step=${cookies.get('__Host-hush_second_step') ?? ''}`;
}

describe('TOTP enrolment', () => {
  it('takes effect only once a first code confirms it, and is kept sealed', async () => {
    const email = freshEmail();
    const { cookie } = await createAccount(t, email, PASSWORD);
    const setup = (await (await t.request('/v1/totp/setup', { method: 'POST', headers: { cookie } })).json()) as { secret: string };
    // Not confirmed yet: the password alone still signs in.
    const before = await t.request('/v1/login', { json: { email, password: PASSWORD } }, freshIp());
    expect(((await before.json()) as { status: string }).status).toBe('signed_in');
    const wrong = await t.request('/v1/totp/confirm', { json: { code: '000000' }, headers: { cookie } });
    expect(wrong.status).toBe(401);
    const row = await t.hush.database.db.selectFrom('identities').select(['totp_secret', 'totp_pending_secret']).where('email', '=', email).executeTakeFirstOrThrow();
    expect(row.totp_secret).toBeNull();
    expect(row.totp_pending_secret).not.toContain(setup.secret);
    expect(JSON.stringify(row)).not.toContain(Buffer.from(base32Decode(setup.secret) ?? []).toString('hex'));
  });

  it('refuses every TOTP endpoint without a session', async () => {
    for (const [path, method] of [['/v1/totp/setup', 'POST'], ['/v1/totp/confirm', 'POST'], ['/v1/totp', 'DELETE'], ['/v1/sessions', 'GET']] as const) {
      const res = await t.request(path, { method, ...(method === 'GET' ? {} : { json: {} }) });
      expect(res.status, path).toBe(401);
    }
  });
});

describe('sign-in with a second factor', () => {
  it('asks for the code only after a correct password, with no session, and the code opens one', async () => {
    const e = await enrolled();
    const step = await passwordStep(e);
    const res = await e.t.request('/v1/login/second-factor', { json: { code: e.code() }, headers: { cookie: step } });
    expect(res.status).toBe(200);
    const cookies = cookiesOf(res);
    expect(cookies.get('__Host-hush_session')?.length).toBeGreaterThan(20);
    expect(cookies.get('__Host-hush_second_step')).toBe('');
    const session = await e.t.request('/v1/session', { headers: { cookie: `__Host-hush_session=${cookies.get('__Host-hush_session') ?? ''}` } });
    expect(session.status).toBe(200);
  });

  it('gives a wrong password the one failure reply, the same bytes as an unknown address', async () => {
    const e = await enrolled();
    const wrong = await e.t.request('/v1/login', { json: { email: e.email, password: 'not the password at all' } }, freshIp());
    const unknown = await e.t.request('/v1/login', { json: { email: freshEmail(), password: 'not the password at all' } }, freshIp());
    expect(wrong.status).toBe(401);
    expect([...wrong.headers.entries()].filter(([k]) => k !== 'date')).toEqual([...unknown.headers.entries()].filter(([k]) => k !== 'date'));
    expect(await wrong.text()).toBe(await unknown.text());
  });

  it('refuses a code used once, within its window (replay)', async () => {
    const e = await enrolled();
    const code = e.code();
    const first = await e.t.request('/v1/login/second-factor', { json: { code }, headers: { cookie: await passwordStep(e) } });
    expect(first.status).toBe(200);
    const again = await e.t.request('/v1/login/second-factor', { json: { code }, headers: { cookie: await passwordStep(e) } });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('HUSH_SECOND_FACTOR_INVALID');
  });

  it('spends a code once under concurrency', async () => {
    const e = await enrolled();
    const steps = await Promise.all([passwordStep(e), passwordStep(e), passwordStep(e), passwordStep(e)]);
    const code = e.code();
    const replies = await Promise.all(steps.map((cookie) => e.t.request('/v1/login/second-factor', { json: { code }, headers: { cookie } })));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('lets a step expire after five minutes, and never reads the step from the body', async () => {
    const e = await enrolled();
    const step = await passwordStep(e);
    const fromBody = await e.t.request('/v1/login/second-factor', { json: { code: e.code(), second_step: step.split('=')[1] } });
    expect(fromBody.status).toBe(401);
    clock.advance(5 * 60_000 + 1);
    const late = await e.t.request('/v1/login/second-factor', { json: { code: e.code() }, headers: { cookie: step } });
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe('HUSH_SECOND_STEP_EXPIRED');
  });

  it('refuses every code, right ones too, after ten wrong ones for the account from any addresses', async () => {
    const e = await enrolled();
    for (let i = 0; i < 10; i++) {
      const ip = freshIp();
      const res = await e.t.request('/v1/login/second-factor', { json: { code: '000001' }, headers: { cookie: await passwordStep(e, ip) } }, ip);
      expect(res.status).toBe(401);
    }
    const last = freshIp();
    const right = await e.t.request('/v1/login/second-factor', { json: { code: e.code() }, headers: { cookie: await passwordStep(e, last) } }, last);
    expect(right.status).toBe(429);
    clock.advance(15 * 60_000 + 1);
    const later = await e.t.request('/v1/login/second-factor', { json: { code: e.code() }, headers: { cookie: await passwordStep(e, last) } }, last);
    expect(later.status).toBe(200);
  });

  it('counts wrong codes against the login limits of the address', async () => {
    const e = await enrolled();
    const ip = freshIp();
    const step = await passwordStep(e, ip);
    const statuses: number[] = [];
    // 20 per address (this file's setting): the password step was one, the codes are the rest.
    for (let i = 0; i < 20; i++) statuses.push((await e.t.request('/v1/login/second-factor', { json: { code: '000002' }, headers: { cookie: step } }, ip)).status);
    expect(statuses.slice(0, 9)).toEqual(Array(9).fill(401));
    expect(statuses.at(-1)).toBe(429);
  });

  it('takes a recovery code once, and tells the owner', async () => {
    const e = await enrolled();
    const rc = e.recoveryCodes[0] ?? '';
    const ok = await e.t.request('/v1/login/second-factor', { json: { recovery_code: rc.toUpperCase() }, headers: { cookie: await passwordStep(e) } });
    expect(ok.status).toBe(200);
    const again = await e.t.request('/v1/login/second-factor', { json: { recovery_code: rc }, headers: { cookie: await passwordStep(e) } });
    expect(again.status).toBe(401);
    const mail = (await e.t.mailbox()).filter((m) => m.to.includes(e.email));
    expect(mail.some((m) => m.subject.includes('recovery code was used'))).toBe(true);
    const rows = await e.t.hush.database.db.selectFrom('recovery_codes as r').innerJoin('identities as i', 'i.id', 'r.identity_id').select('r.hash').where('i.email', '=', e.email).execute();
    expect(rows).toHaveLength(9);
    expect(JSON.stringify(rows)).not.toContain(rc);
  });

  it('asks a magic link for the code too', async () => {
    const e = await enrolled();
    await e.t.request('/v1/magic-link', { json: { email: e.email } }, e.ip);
    const res = await e.t.request('/v1/magic-link/confirm', { json: { token: tokenOf(await e.t.linkFor(e.email, '/magic#token=')) } }, e.ip);
    expect(((await res.json()) as { status: string }).status).toBe('second_factor_required');
    expect(sessionCookieOf(res)).toMatch(/^__Host-hush_second_step=/);
  });
});

describe('removing TOTP and new recovery codes', () => {
  it('needs a fresh code or a recovery code, and tells the owner', async () => {
    const e = await enrolled();
    const none = await e.t.request('/v1/totp', { method: 'DELETE', json: {}, headers: { cookie: e.cookie } });
    expect(none.status).toBe(401);
    const regen = await e.t.request('/v1/totp/recovery-codes', { json: { code: e.code() }, headers: { cookie: e.cookie } });
    expect(((await regen.json()) as { recovery_codes: string[] }).recovery_codes).toHaveLength(10);
    const old = await e.t.request('/v1/totp', { method: 'DELETE', json: { recovery_code: e.recoveryCodes[1] }, headers: { cookie: e.cookie } });
    expect(old.status).toBe(401);
    clock.advance(30_000);
    const removed = await e.t.request('/v1/totp', { method: 'DELETE', json: { code: e.code() }, headers: { cookie: e.cookie } });
    expect(removed.status).toBe(200);
    const login = await e.t.request('/v1/login', { json: { email: e.email, password: PASSWORD } }, e.ip);
    expect(((await login.json()) as { status: string }).status).toBe('signed_in');
    const subjects = (await e.t.mailbox()).filter((m) => m.to.includes(e.email)).map((m) => m.subject);
    expect(subjects.some((s) => s.includes('authenticator app was added'))).toBe(true);
    expect(subjects.some((s) => s.includes('New recovery codes'))).toBe(true);
    expect(subjects.some((s) => s.includes('authenticator app was removed'))).toBe(true);
  });
});

describe('owner notices', () => {
  it('are at most ten per account per hour, whatever causes them', async () => {
    const e = await enrolled();
    for (let i = 0; i < 11; i++) {
      clock.advance(30_000);
      expect((await e.t.request('/v1/totp/recovery-codes', { json: { code: e.code() }, headers: { cookie: e.cookie } }, e.ip)).status).toBe(200);
    }
    const notices = (await e.t.mailbox()).filter((m) => m.to.includes(e.email) && m.links.some((l) => l.includes('/disown#token=')));
    // One for TOTP added, nine of the eleven new sets of codes: then the budget is spent.
    expect(notices).toHaveLength(10);
    clock.advance(3_600_000);
    expect((await e.t.request('/v1/totp/recovery-codes', { json: { code: e.code() }, headers: { cookie: e.cookie } }, e.ip)).status).toBe(200);
    expect((await e.t.mailbox()).filter((m) => m.to.includes(e.email) && m.links.some((l) => l.includes('/disown#token=')))).toHaveLength(11);
  });

  it('the TOTP-added notice\'s link also removes TOTP, so whoever added it cannot hold the reset', async () => {
    const e = await enrolled();
    const link = (await e.t.mailbox()).filter((m) => m.to.includes(e.email) && m.subject.includes('authenticator app was added')).flatMap((m) => m.links)[0] ?? '';
    expect((await e.t.request('/v1/disown', { json: { token: tokenOf(link) } }, e.ip)).status).toBe(200);
    expect((await e.t.request('/v1/session', { headers: { cookie: e.cookie } }, e.ip)).status).toBe(401);
    const login = await e.t.request('/v1/login', { json: { email: e.email, password: PASSWORD } }, e.ip);
    expect(((await login.json()) as { status: string }).status).toBe('signed_in');
  });
});

describe('reset with a second factor', () => {
  it('does not set a password from the link alone; the link still works with a code', async () => {
    const e = await enrolled();
    const request = await e.t.request('/v1/recovery', { json: { email: e.email } }, e.ip);
    expect(request.status).toBe(202);
    const token = tokenOf(await e.t.linkFor(e.email, '/reset#token='));
    const alone = await e.t.request('/v1/recovery/confirm', { json: { token, password: 'a brand new password' } });
    expect(alone.status).toBe(401);
    expect(((await alone.json()) as { error: { code: string } }).error.code).toBe('HUSH_SECOND_FACTOR_REQUIRED');
    const wrong = await e.t.request('/v1/recovery/confirm', { json: { token, password: 'a brand new password', code: '000003' } });
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('HUSH_SECOND_FACTOR_INVALID');
    const ok = await e.t.request('/v1/recovery/confirm', { json: { token, password: 'a brand new password', code: e.code() } });
    expect(ok.status).toBe(200);
    const reused = await e.t.request('/v1/recovery/confirm', { json: { token, password: 'another new password', code: e.code(1) } });
    expect(reused.status).toBe(400);
  });
});

describe('sessions the owner controls', () => {
  it('lists live sessions with their device, marks this one, signs one out and all others out', async () => {
    const email = freshEmail();
    const ip = freshIp();
    const { cookie } = await createAccount(t, email, PASSWORD, { ip });
    const ff = sessionCookieOf(await t.request('/v1/login', { json: { email, password: PASSWORD }, headers: { 'user-agent': FIREFOX } }, ip));
    const cr = sessionCookieOf(await t.request('/v1/login', { json: { email, password: PASSWORD }, headers: { 'user-agent': CHROME } }, ip));
    const list = (await (await t.request('/v1/sessions', { headers: { cookie: ff } })).json()) as { sessions: { id: string; device: string; current: boolean; last_seen_at: string }[] };
    expect(list.sessions).toHaveLength(3);
    expect(list.sessions.filter((s) => s.current).map((s) => s.device)).toEqual(['Firefox on Linux']);
    expect(list.sessions.every((s) => s.last_seen_at.endsWith(':00.000Z'))).toBe(true);
    const chrome = list.sessions.find((s) => s.device === 'Chrome on Windows');
    // Another account cannot sign this session out.
    const { cookie: other } = await createAccount(t, freshEmail(), PASSWORD, { ip: freshIp() });
    expect((await t.request(`/v1/sessions/${chrome?.id ?? ''}`, { method: 'DELETE', headers: { cookie: other } })).status).toBe(404);
    expect((await t.request(`/v1/sessions/${chrome?.id ?? ''}`, { method: 'DELETE', headers: { cookie: ff } })).status).toBe(204);
    expect((await t.request('/v1/session', { headers: { cookie: cr } })).status).toBe(401);
    const others = await t.request('/v1/sessions', { method: 'DELETE', headers: { cookie: ff } });
    expect(((await others.json()) as { revoked: number }).revoked).toBe(1);
    expect((await t.request('/v1/session', { headers: { cookie } })).status).toBe(401);
    expect((await t.request('/v1/session', { headers: { cookie: ff } })).status).toBe(200);
  });

  it('tells the owner of a sign-in from a new device, with a link that signs every session out and starts a reset', async () => {
    const email = freshEmail();
    const ip = freshIp();
    await createAccount(t, email, PASSWORD, { ip });
    const ff = sessionCookieOf(await t.request('/v1/login', { json: { email, password: PASSWORD }, headers: { 'user-agent': FIREFOX } }, ip));
    await t.request('/v1/login', { json: { email, password: PASSWORD }, headers: { 'user-agent': FIREFOX } }, ip);
    const notices = (await t.mailbox()).filter((m) => m.to.includes(email) && m.subject.includes('New sign-in'));
    expect(notices).toHaveLength(1);
    const link = await t.linkFor(email, '/disown#token=');
    expect(link.startsWith('https://id.example.test/disown#token=')).toBe(true);
    const res = await t.request('/v1/disown', { json: { token: tokenOf(link) } });
    expect(res.status).toBe(200);
    expect((await t.request('/v1/session', { headers: { cookie: ff } })).status).toBe(401);
    expect(await t.linkFor(email, '/reset#token=')).toContain('/reset#token=');
    expect((await t.request('/v1/disown', { json: { token: tokenOf(link) } })).status).toBe(400);
  });
});

describe('pages without JavaScript', () => {
  const ORIGIN = 'https://id.example.test';
  /** A form post as a browser sends it from a page of the origin. */
  const form = (path: string, fields: Record<string, string>, cookie: string, ip: string): Promise<Response> =>
    t.request(path, { form: fields, headers: { cookie, origin: ORIGIN } }, ip);

  it('enrol from the security page (QR code as inline SVG), sign in through the code page, see and revoke sessions', async () => {
    const email = freshEmail();
    const ip = freshIp();
    const { cookie } = await createAccount(t, email, PASSWORD, { ip });
    const security = await t.request('/account/security', { headers: { cookie } }, ip);
    expect(security.status).toBe(200);
    expect(await security.text()).toContain('Set up an authenticator app');
    const setup = await form('/account/security/totp/setup', {}, cookie, ip);
    const setupHtml = await setup.text();
    expect(setupHtml).toMatch(/<figure class="qr" role="img" aria-label="[^"]+"><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(setupHtml)?.[1]?.replace(/ /g, '') ?? '';
    const key = base32Decode(secret);
    if (key === null || secret === '') throw new Error('no key on the setup page');
    const confirmed = await form('/account/security/totp/confirm', { code: totpAt(key, totpStep(clock.now())) }, cookie, ip);
    const codes = [...(await confirmed.text()).matchAll(/<li>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})<\/li>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    clock.advance(30_000);

    const login = await form('/login', { email, password: PASSWORD }, '', ip);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/login/second-factor');
    const step = cookiesOf(login).get('__Host-hush_second_step') ?? '';
    expect(cookiesOf(login).has('__Host-hush_session')).toBe(false);
    const wrong = await form('/login/second-factor', { code: '000004' }, `__Host-hush_second_step=${step}`, ip);
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That code is not right');
    const right = await form('/login/second-factor', { code: codes[0] ?? '' }, `__Host-hush_second_step=${step}`, ip);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/account');
    const session = `__Host-hush_session=${cookiesOf(right).get('__Host-hush_session') ?? ''}`;
    const page = await (await t.request('/account/security', { headers: { cookie: session } }, ip)).text();
    expect(page).toContain('You have 9 recovery codes left');
    expect(page).toContain('(this device)');
    const id = /name="id" value="([\w-]{22})"/.exec(page)?.[1] ?? '';
    const revoked = await form('/account/security/sessions/revoke', { id }, session, ip);
    expect(await revoked.text()).toContain('That session was signed out.');
    expect((await t.request('/v1/session', { headers: { cookie } }, ip)).status).toBe(401);
  });

  it('the reset page asks for a code only as an optional field; the security page needs a session', async () => {
    const reset = await (await t.request('/reset')).text();
    expect(reset).toMatch(/<input id="reset-code" name="code" type="text" autocomplete="one-time-code"(?![^>]*required)/);
    const security = await t.request('/account/security', {}, freshIp());
    expect(security.status).toBe(303);
    expect(security.headers.get('location')).toBe('/login');
    const cross = await t.request('/account/security/totp/setup', { form: {}, headers: { origin: 'https://evil.test' } }, freshIp());
    expect(cross.status).toBe(403);
  });
});

describe('breached passwords (HUSH_BREACHED_PASSWORDS, against a local range server)', () => {
  it('refuses a breached first password, change and reset, before any token or account is looked at', async () => {
    const email = freshEmail();
    const ip = freshIp();
    await t.request('/v1/signup', { json: { email } }, ip);
    const verified = await t.request('/v1/verify', { json: { token: tokenOf(await t.linkFor(email, '/verify#token=')) } }, ip);
    const cookie = sessionCookieOf(verified);
    const first = await t.request('/v1/password', { json: { password: BREACHED }, headers: { cookie } }, ip);
    expect(first.status).toBe(400);
    expect(await first.text()).toContain('appears in a known data breach');
    expect((await t.request('/v1/password', { json: { password: PASSWORD }, headers: { cookie } }, ip)).status).toBe(200);
    await t.request('/v1/recovery', { json: { email } }, ip);
    const token = tokenOf(await t.linkFor(email, '/reset#token='));
    // A bad token and a good one get the same refusal: the check runs before the token is read.
    const bad = await t.request('/v1/recovery/confirm', { json: { token: 'x'.repeat(43), password: BREACHED } }, ip);
    const good = await t.request('/v1/recovery/confirm', { json: { token, password: BREACHED } }, ip);
    expect(bad.status).toBe(400);
    expect(await good.text()).toBe(await bad.text());
    expect((await t.request('/v1/recovery/confirm', { json: { token, password: 'a new and unbreached passphrase' } }, ip)).status).toBe(200);
  });
});
