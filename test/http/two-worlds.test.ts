import { afterAll, beforeAll, describe, it } from 'vitest';
import { sql } from 'kysely';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import fc from 'fast-check';
import { observable, testHush } from '../helpers/hush.js';
import { signup } from '../../src/core/flows/index.js';
import type { TestHush } from '../helpers/hush.js';
import { solve } from '../unit/guard/fixture.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { SeededRandom } from '../../src/kernel/random.js';
import { readMailbox } from '../../src/mail/index.js';
import { mailboxKey, normalizeIdentifier } from '../../src/core/identifier.js';
import { openMemoryDatabase } from '../../src/store/database.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { base32Decode, totpAt, totpStep } from '../../src/core/totp.js';

/**
 * Noninterference (issue 13, design.md §4.1), tested as an attacker works: not
 * one request but any sequence of them. Two hush instances differ only in the
 * victim's account (it exists or not; it is confirmed or not; a sign-up is
 * pending or not). Both start from the same seed and the same clock, and get
 * the same random sequence of everything an attacker can do without the
 * victim's mailbox or password: sign up (with or without a password), log in
 * with passwords they chose, ask for resets and magic links, open the links
 * in their own mailbox, set and change their own password, read their
 * session, log out, fetch proof-of-work challenges, trip the honeypot, post
 * the hosted pages' forms, send malformed addresses, switch client address,
 * let time pass, and let the outbox and detection run; with their own account,
 * enrol TOTP, sign in through the second step (right, wrong, replayed and
 * recovery codes), make new recovery codes, remove TOTP, list and revoke
 * their sessions, and follow the "this wasn't me" link of a notice. After every step, what
 * the attacker can see must be byte-identical in both: status, headers (the
 * session cookie included), body, and every mail in their own mailbox.
 *
 * No masking, with one exception: the salt and nonce of a proof-of-work
 * challenge (and what is derived from them: the key prefix, the signatures),
 * which altcha-lib draws from the platform's CSPRNG where no seed reaches.
 * What the prefix encodes, the counter hush drew and the solver must reach,
 * is compared instead, once solved.
 * Everything hush draws itself comes from the request's own forked stream
 * (kernel/random.ts RequestRandom), so the same request draws the same values
 * in both worlds, whatever an earlier request did on its path.
 *
 * A failing sequence is shrunk by fast-check and printed as a list of steps.
 */

const VICTIM = 'victim@example.com';
const VICTIM_PASSWORD = 'the victim keeps this one';
const ATTACKER_DOMAIN = '@attacker.test';
const ORIGIN = 'https://id.example.test';

/** Addresses the attacker types: the victim's in several spellings, their own, one nobody has, and malformed ones. */
const EMAILS = [
  VICTIM,
  'Victim@EXAMPLE.com',
  'victim+promo@example.com',
  ` ${VICTIM} `,
  `mallory${ATTACKER_DOMAIN}`,
  `mallory+2${ATTACKER_DOMAIN}`,
  'ghost@example.com',
  'vic\u0000tim@example.com',
  'not an address',
] as const;
const PASSWORDS = ['attacker passphrase one', 'attacker passphrase two', 'short'] as const;
const ADDRESSES = ['203.0.113.5', '203.0.113.6', '2001:db8::7'] as const;
const em = (i: number): string => EMAILS[i] ?? '';
const pw = (i: number): string => PASSWORDS[i] ?? '';
const ADVANCES = [1_000, 61_000, 5 * 60_000 + 1, 16 * 60_000, 61 * 60_000, 25 * 3_600_000] as const;

type Via = 'api' | 'page';
/** `enrol` is setup and confirm in one step, so that sequences reach a second factor often. */
type TotpOp = 'enrol' | 'setup' | 'confirm' | 'remove' | 'regenerate';
type Flow = 'signup' | 'login' | 'recovery' | 'magic';
type Action =
  | { kind: 'signup'; via: Via; email: number; password?: number }
  | { kind: 'login'; via: Via; email: number; password: number }
  | { kind: 'recovery'; via: Via; email: number; honeypot: boolean }
  | { kind: 'magic'; via: Via; email: number }
  | { kind: 'sweep'; flow: Flow; via: Via; target: number; victim: boolean }
  | { kind: 'enroll'; password: number }
  | { kind: 'reuse'; via: Via; pick: number }
  | { kind: 'open'; via: Via; mail: number; password: number }
  | { kind: 'password'; password: number; current?: number }
  | { kind: 'session' }
  | { kind: 'account' }
  | { kind: 'logout' }
  | { kind: 'challenge'; action: 'recovery' | 'signup' | 'magic-link' | 'login' }
  | { kind: 'metrics' }
  | { kind: 'address'; index: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'deliver' }
  | { kind: 'totp'; op: TotpOp }
  | { kind: 'second'; factor: 'code' | 'wrong' | 'replay' | 'recovery' }
  | { kind: 'sessions'; op: 'list' | 'others' | 'one' };

const index = (n: number): fc.Arbitrary<number> => fc.nat({ max: n - 1 });
const via = fc.constantFrom<Via>('api', 'page');
const email = index(EMAILS.length);
const password = index(PASSWORDS.length);
/** Each kind of action with its weight: mostly the flows, the links they mail and the outbox that mails them. */
const actions: [number, fc.Arbitrary<Action>][] = [
  [4, fc.record({ kind: fc.constant('signup' as const), via, email, password: fc.option(password, { nil: undefined }) }, { requiredKeys: ['kind', 'via', 'email'] })],
  [4, fc.record({ kind: fc.constant('login' as const), via, email, password })],
  [3, fc.record({ kind: fc.constant('recovery' as const), via, email, honeypot: fc.boolean() })],
  [3, fc.record({ kind: fc.constant('magic' as const), via, email })],
  // What enumeration looks like: one request per address of a list, the victim's perhaps last. The model knows how many
  // mailboxes this client has named through the flow lately, and the list is cut to land on a count around the shipped
  // rules' thresholds (more than 5 accounts, more than 10), where one account more or less decides.
  [
    5,
    fc.record({
      kind: fc.constant('sweep' as const),
      flow: fc.oneof({ arbitrary: fc.constantFrom<Flow>('recovery', 'login'), weight: 3 }, { arbitrary: fc.constantFrom<Flow>('signup', 'magic'), weight: 1 }),
      via,
      target: fc.oneof({ arbitrary: fc.constantFrom(6, 11), weight: 3 }, { arbitrary: fc.constantFrom(5, 7, 10, 12), weight: 1 }),
      victim: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
    }),
  ],
  // Log in with an address and a password the attacker chose for it earlier (at sign-up, in a reset, on their own account).
  [3, fc.record({ kind: fc.constant('reuse' as const), via, pick: fc.nat({ max: 7 }) })],
  // The attacker's own account: sign up, open the link, choose a password (all of it seen, step by step).
  [1, fc.record({ kind: fc.constant('enroll' as const), password })],
  [4, fc.record({ kind: fc.constant('open' as const), via, mail: fc.nat({ max: 5 }), password })],
  [2, fc.record({ kind: fc.constant('password' as const), password, current: fc.option(password, { nil: undefined }) }, { requiredKeys: ['kind', 'password'] })],
  [1, fc.constant<Action>({ kind: 'session' })],
  [1, fc.constant<Action>({ kind: 'account' })],
  [1, fc.constant<Action>({ kind: 'logout' })],
  [3, fc.record({ kind: fc.constant('challenge' as const), action: fc.constantFrom('recovery' as const, 'signup' as const, 'magic-link' as const, 'login' as const) })],
  [1, fc.constant<Action>({ kind: 'metrics' })],
  [1, fc.record({ kind: fc.constant('address' as const), index: index(ADDRESSES.length) })],
  [2, fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(...ADVANCES) })],
  [4, fc.constant<Action>({ kind: 'deliver' })],
  // The attacker's own second factor and sessions.
  [2, fc.record({ kind: fc.constant('totp' as const), op: fc.constantFrom<TotpOp>('enrol', 'enrol', 'setup', 'confirm', 'remove', 'regenerate') })],
  [3, fc.record({ kind: fc.constant('second' as const), factor: fc.constantFrom('code' as const, 'wrong' as const, 'replay' as const, 'recovery' as const) })],
  [1, fc.record({ kind: fc.constant('sessions' as const), op: fc.constantFrom('list' as const, 'others' as const, 'one' as const) })],
];

function describeAction(a: Action): string {
  switch (a.kind) {
    case 'signup':
      return `signup(${a.via}, ${JSON.stringify(EMAILS[a.email])}${a.password === undefined ? '' : `, password ${JSON.stringify(PASSWORDS[a.password])}`})`;
    case 'login':
      return `login(${a.via}, ${JSON.stringify(EMAILS[a.email])}, ${JSON.stringify(PASSWORDS[a.password])})`;
    case 'recovery':
      return `recovery(${a.via}, ${JSON.stringify(EMAILS[a.email])}${a.honeypot ? ', honeypot filled' : ''})`;
    case 'magic':
      return `magic-link(${a.via}, ${JSON.stringify(EMAILS[a.email])})`;
    case 'sweep':
      return `${a.flow} sweep (${a.via}) up to ${a.target} named mailboxes${a.victim ? ', the victim’s last' : ''}`;
    case 'reuse':
      return `login (${a.via}) with a password chosen earlier (#${a.pick})`;
    case 'enroll':
      return `enroll mallory@attacker.test with ${JSON.stringify(PASSWORDS[a.password])}`;
    case 'open':
      return `open link #${a.mail} of own mailbox (${a.via}, new password ${JSON.stringify(PASSWORDS[a.password])})`;
    case 'password':
      return `password(${JSON.stringify(PASSWORDS[a.password])}${a.current === undefined ? '' : `, current ${JSON.stringify(PASSWORDS[a.current])}`})`;
    case 'challenge':
      return `GET /v1/pow/challenge?action=${a.action}`;
    case 'address':
      return `switch to client ${ADDRESSES[a.index]}`;
    case 'advance':
      return `advance clock ${a.ms} ms`;
    case 'deliver':
      return 'run outbox and detection, then read own mail and difficulty';
    case 'totp':
      return `own TOTP: ${a.op}`;
    case 'second':
      return `second step with ${a.factor === 'code' ? 'the current code' : a.factor === 'wrong' ? 'a wrong code' : a.factor === 'replay' ? 'the last code used' : 'a recovery code'}`;
    case 'sessions':
      return `own sessions: ${a.op}`;
    default:
      return a.kind;
  }
}

/** One world: a hush instance, its clock, and the attacker's browser (client address, cookie jar). */
interface World {
  t: TestHush;
  clock: ManualClock;
  ip: string;
  /** The attacker's cookie jar: the session and the second step, by name. */
  cookies: Map<string, string>;
  pow: boolean;
  /** The attacker's own TOTP key (from the setup reply), the last code they sent, and their recovery codes. */
  totpKey?: Uint8Array;
  lastCode?: string;
  /** The step of the last code sent: the next one is from a later step (one step of drift allows one ahead). */
  lastStep?: number;
  recoveryCodes: string[];
  /** The password the attacker last set on their own account, if any. */
  ownPassword?: string;
}

/** What one request showed the attacker. */
interface Seen {
  request: string;
  status: number;
  headers: [string, string][];
  body: string;
}

/** Fields of a challenge that altcha-lib draws from the CSPRNG itself (and values derived from them). */
const ALTCHA_DRAWN = new Set(['nonce', 'salt', 'keyPrefix', 'keySignature', 'signature']);
const maskAltcha = (body: string): string => JSON.stringify(JSON.parse(body) as unknown, (k, v: unknown) => (ALTCHA_DRAWN.has(k) ? '<drawn by altcha-lib>' : v));

async function send(w: World, path: string, init: { json?: Record<string, unknown>; form?: Record<string, string>; method?: string } = {}): Promise<{ seen: Seen; body: string }> {
  const headers: Record<string, string> = {};
  if (w.cookies.size > 0) headers['cookie'] = [...w.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  if (init.form !== undefined) headers['origin'] = ORIGIN;
  const res = await w.t.request(path, { ...init, headers }, w.ip);
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0] ?? '';
    const eq = pair.indexOf('=');
    // A deleted cookie comes back empty.
    if (eq <= 0 || eq === pair.length - 1) w.cookies.delete(pair.slice(0, Math.max(0, eq)));
    else w.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const { status, headers: shownHeaders, body } = await observable(res);
  const method = init.method ?? (init.json !== undefined || init.form !== undefined ? 'POST' : 'GET');
  const shown = path.startsWith('/v1/pow/challenge') && status === 200 ? maskAltcha(body) : body;
  return { seen: { request: `${method} ${path}`, status, headers: shownHeaders, body: shown }, body };
}

const ACTION_OF = { signup: 'signup', login: 'login', recovery: 'recovery', magic: 'magic-link' } as const;
const PAGE_OF = { signup: '/signup', login: '/login', recovery: '/forgot', magic: '/magic' } as const;
const API_OF = { signup: '/v1/signup', login: '/v1/login', recovery: '/v1/recovery', magic: '/v1/magic-link' } as const;

/** A guarded post, as the widget sends it: with proof-of-work on, a fresh challenge first (seen too), solved. */
async function guardedPost(w: World, flow: keyof typeof ACTION_OF, v: Via, fields: Record<string, string>): Promise<Seen[]> {
  const seen: Seen[] = [];
  const body = { ...fields };
  if (w.pow) {
    const c = await send(w, `/v1/pow/challenge?action=${ACTION_OF[flow]}`);
    seen.push(c.seen);
    if (c.seen.status === 200) {
      body['pow'] = await solve(JSON.parse(c.body));
      // The counter the solver had to reach is what the masked key prefix hid: hush draws it, from the request's stream.
      const { solution } = JSON.parse(Buffer.from(body['pow'], 'base64').toString('utf8')) as { solution: { counter: number } };
      seen.push({ request: 'solved', status: 0, headers: [], body: `counter ${solution.counter}` });
    }
  }
  const r = v === 'api' ? await send(w, API_OF[flow], { json: body }) : await send(w, PAGE_OF[flow], { form: body });
  seen.push(r.seen);
  return seen;
}

/** The attacker's own mailbox: every message to an address at their domain, as a mail client shows it. */
async function ownMail(w: World): Promise<{ to: string; subject: string; date: string; messageId: string; text: string; html: string; links: string[] }[]> {
  const all = await readMailbox(join(w.t.dataDir, 'mailbox'));
  return all
    .filter((m) => m.to.toLowerCase().includes(ATTACKER_DOMAIN))
    .map((m) => ({ to: m.to, subject: m.subject, date: m.date.toISOString(), messageId: m.messageId, text: m.text, html: m.html, links: m.links }));
}

/** Applies one action to one world and returns everything it showed the attacker. */
async function act(w: World, a: Action, plan?: readonly string[]): Promise<unknown[]> {
  switch (a.kind) {
    case 'signup':
      return guardedPost(w, 'signup', a.via, { email: em(a.email), ...(a.password === undefined ? {} : { password: pw(a.password) }) });
    case 'login':
      return guardedPost(w, 'login', a.via, { email: em(a.email), password: pw(a.password) });
    case 'recovery':
      return guardedPost(w, 'recovery', a.via, { email: em(a.email), ...(a.honeypot ? { website: 'https://spam.test' } : {}) });
    case 'magic':
      return guardedPost(w, 'magic', a.via, { email: em(a.email) });
    case 'reuse': {
      const [address, chosen] = plan ?? [];
      if (address === undefined || chosen === undefined) return ['no password chosen yet'];
      return guardedPost(w, 'login', a.via, { email: address, password: chosen });
    }
    case 'sweep': {
      const seen: Seen[] = [];
      for (const address of plan ?? []) seen.push(...(await guardedPost(w, a.flow, a.via, a.flow === 'login' ? { email: address, password: pw(0) } : { email: address })));
      return seen;
    }
    case 'enroll': {
      const seen: unknown[] = await guardedPost(w, 'signup', 'api', { email: `mallory${ATTACKER_DOMAIN}` });
      seen.push(...(await act(w, { kind: 'deliver' })));
      seen.push(...(await act(w, { kind: 'open', via: 'api', mail: 0, password: a.password })));
      seen.push(...(await act(w, { kind: 'password', password: a.password })));
      w.ownPassword = pw(a.password);
      return seen;
    }
    case 'open': {
      const links = (await ownMail(w)).flatMap((m) => m.links).filter((l) => l.includes('#token='));
      const link = links[links.length - 1 - (a.mail % Math.max(1, links.length))];
      if (link === undefined) return ['no link to open'];
      const url = new URL(link);
      const token = url.hash.replace(/^#token=/, '');
      const newPassword = pw(a.password);
      const api = { '/verify': ['/v1/verify', {}], '/reset': ['/v1/recovery/confirm', { password: newPassword }], '/magic': ['/v1/magic-link/confirm', {}], '/disown': ['/v1/disown', {}] } as const;
      const page = { '/verify': '/verify', '/reset': '/reset', '/magic': '/magic/confirm', '/disown': '/disown' } as const;
      const kind = url.pathname as keyof typeof api;
      if (!(kind in api)) return [`link to ${url.pathname}`];
      const [path, extra] = api[kind];
      const r = a.via === 'api' ? await send(w, path, { json: { token, ...extra } }) : await send(w, page[kind], { form: { token, ...extra } });
      if (kind === '/reset' && r.seen.status === 200) w.ownPassword = newPassword;
      return [link, r.seen];
    }
    case 'password': {
      const body = { password: pw(a.password), ...(a.current === undefined ? {} : { current: pw(a.current) }) };
      const r = await send(w, '/v1/password', { json: body });
      if (r.seen.status === 200) w.ownPassword = pw(a.password);
      return [r.seen];
    }
    case 'session':
      return [(await send(w, '/v1/session')).seen];
    case 'account':
      return [(await send(w, '/account')).seen];
    case 'logout':
      return [(await send(w, '/v1/logout', { json: {} })).seen];
    case 'challenge':
      return [(await send(w, `/v1/pow/challenge?action=${a.action}`)).seen];
    case 'metrics':
      return [(await send(w, '/metrics')).seen];
    case 'address':
      w.ip = ADDRESSES[a.index] ?? w.ip;
      return [];
    case 'advance':
      w.clock.advance(a.ms);
      return [];
    case 'totp':
      return ownTotp(w, a.op);
    case 'second': {
      // With no TOTP of their own yet, the attacker turns it on first (making their account if need be); then signs in to
      // their own account (a right password opens the second step) and sends the factor.
      const enrolled: unknown[] = w.totpKey === undefined ? await ownTotp(w, 'enrol') : [];
      const login = w.ownPassword === undefined ? [] : await guardedPost(w, 'login', 'api', { email: `mallory${ATTACKER_DOMAIN}`, password: w.ownPassword });
      const first = [...enrolled, ...login];
      const code = nextCode(w);
      const body =
        a.factor === 'recovery' ? { recovery_code: w.recoveryCodes.shift() ?? 'aaaa-bbbb-cccc-dddd' } : { code: a.factor === 'code' ? code : a.factor === 'replay' ? (w.lastCode ?? code) : '000000' };
      if ('code' in body && a.factor !== 'wrong') w.lastCode = body.code;
      return [...first, (await send(w, '/v1/login/second-factor', { json: body })).seen];
    }
    case 'sessions': {
      const list = await send(w, '/v1/sessions');
      if (a.op === 'list' || list.seen.status !== 200) return [list.seen];
      if (a.op === 'others') return [list.seen, (await send(w, '/v1/sessions', { method: 'DELETE' })).seen];
      const { sessions } = JSON.parse(list.body) as { sessions: { id: string; current: boolean }[] };
      const other = sessions.find((s) => !s.current) ?? sessions[0];
      return [list.seen, (await send(w, `/v1/sessions/${other?.id ?? 'none'}`, { method: 'DELETE' })).seen];
    }
    case 'deliver': {
      // The outbox delivers mail and feeds detection; then the attacker looks at whatever detection may have changed: their mailbox and their difficulty.
      await w.t.deliver();
      const seen: unknown[] = [await ownMail(w)];
      for (const action of ['recovery', 'login'] as const) seen.push((await send(w, `/v1/pow/challenge?action=${action}`)).seen);
      return seen;
    }
  }
}

/** The attacker's own TOTP: set it up (keeping the key the reply shows), confirm it with the current code, remove it or make new recovery codes. */
/** The code the attacker's app shows, from a step after the last one sent when drift allows, so that it has not been spent. */
function nextCode(w: World): string {
  if (w.totpKey === undefined) return '123456';
  const now = totpStep(w.clock.now());
  const step = w.lastStep !== undefined && w.lastStep >= now ? Math.min(w.lastStep + 1, now + 1) : now;
  w.lastStep = step;
  return totpAt(w.totpKey, step);
}

async function ownTotp(w: World, op: TotpOp): Promise<unknown[]> {
  const code = op === 'setup' || op === 'enrol' ? '' : nextCode(w);
  switch (op) {
    case 'enrol': {
      // Without a session, the attacker makes their own account first.
      const own = w.cookies.has('__Host-hush_session') ? [] : await act(w, { kind: 'enroll', password: 0 });
      return [...own, ...(await ownTotp(w, 'setup')), ...(await ownTotp(w, 'confirm'))];
    }
    case 'setup': {
      const r = await send(w, '/v1/totp/setup', { json: {} });
      if (r.seen.status === 200) w.totpKey = base32Decode((JSON.parse(r.body) as { secret: string }).secret) ?? undefined;
      return [r.seen];
    }
    case 'confirm':
    case 'regenerate': {
      const r = await send(w, op === 'confirm' ? '/v1/totp/confirm' : '/v1/totp/recovery-codes', { json: { code } });
      w.lastCode = code;
      if (r.seen.status === 200) w.recoveryCodes = (JSON.parse(r.body) as { recovery_codes: string[] }).recovery_codes;
      return [r.seen];
    }
    case 'remove':
      w.lastCode = code;
      return [(await send(w, '/v1/totp', { method: 'DELETE', json: { code } })).seen];
  }
}

/**
 * What the attacker knows of the server's state, to steer the next steps: the
 * mailboxes each client address has named through each flow lately (the
 * detection rules count them; a window is at most 5 minutes, so time passing
 * that long forgets them), and how many listed addresses it has used.
 */
interface Model {
  ip: string;
  named: Map<string, Set<string>>;
  listed: number;
  /** Address and password pairs the attacker chose: `address\u0001password`. */
  chosen: string[];
}

const mailboxOf = (address: string): string | undefined => {
  try {
    return mailboxKey(normalizeIdentifier(address));
  } catch {
    return undefined; // refused before any guard: it counts for nothing
  }
};

function namedBy(model: Model, flow: Flow): Set<string> {
  const key = `${flow}|${model.ip}`;
  let set = model.named.get(key);
  if (set === undefined) {
    set = new Set();
    model.named.set(key, set);
  }
  return set;
}

/** The addresses of a sweep: fresh listed ones until the flow has seen `target` mailboxes from this client, the victim's last. */
function planSweep(model: Model, a: Extract<Action, { kind: 'sweep' }>): string[] {
  const named = namedBy(model, a.flow);
  const victim = a.victim && !named.has(mailboxOf(VICTIM) ?? '');
  const fresh = Math.max(victim ? 0 : 1, a.target - named.size - (victim ? 1 : 0));
  const plan = Array.from({ length: fresh }, () => `listed-${model.listed++}@example.com`);
  if (victim) plan.push(VICTIM);
  return plan;
}

/** The pair a `reuse` logs in with: the pick-th the attacker chose. */
function planReuse(model: Model, a: Extract<Action, { kind: 'reuse' }>): string[] {
  const pair = model.chosen[a.pick % Math.max(1, model.chosen.length)];
  return pair === undefined ? [] : pair.split('\u0001');
}

/** Updates the model with what an action sent. */
function learn(model: Model, a: Action, plan: readonly string[] | undefined): void {
  const choose = (address: string, password: string): void => {
    const pair = `${address}\u0001${password}`;
    if (!model.chosen.includes(pair)) model.chosen.push(pair);
  };
  const name = (flow: Flow, address: string): void => {
    const key = mailboxOf(address);
    if (key !== undefined) namedBy(model, flow).add(key);
  };
  switch (a.kind) {
    case 'signup':
      name(a.kind, em(a.email));
      if (a.password !== undefined) choose(em(a.email), pw(a.password));
      break;
    case 'login':
    case 'recovery':
    case 'magic':
      name(a.kind, em(a.email));
      break;
    case 'open':
    case 'password':
      // A reset's new password, or one set on the session: for whichever address the attacker holds (their own).
      choose(`mallory${ATTACKER_DOMAIN}`, pw(a.password));
      break;
    case 'sweep':
      for (const address of plan ?? []) name(a.flow, address);
      break;
    case 'enroll':
      name('signup', `mallory${ATTACKER_DOMAIN}`);
      choose(`mallory${ATTACKER_DOMAIN}`, pw(a.password));
      break;
    case 'address':
      model.ip = ADDRESSES[a.index] ?? model.ip;
      break;
    case 'advance':
      if (a.ms >= 5 * 60_000) model.named.clear();
      break;
    default:
  }
}

/** One attacker step, applied to both worlds; a difference is the failure fast-check shrinks and prints. */
class Attack implements fc.AsyncCommand<Model, { a: World; b: World }> {
  #plan: string[] | undefined;
  constructor(readonly action: Action) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, worlds: { a: World; b: World }): Promise<void> {
    this.#plan = this.action.kind === 'sweep' ? planSweep(model, this.action) : this.action.kind === 'reuse' ? planReuse(model, this.action) : undefined;
    const seenA = await act(worlds.a, this.action, this.#plan);
    const seenB = await act(worlds.b, this.action, this.#plan);
    learn(model, this.action, this.#plan);
    if (!isDeepStrictEqual(seenA, seenB)) {
      const planned = this.#plan === undefined ? '' : ` [${this.#plan.join(', ')}]`;
      throw new Error(`the worlds differ after ${this.toString()}${planned}:\n  with the account: ${JSON.stringify(seenA)}\n  without:          ${JSON.stringify(seenB)}`);
    }
  }
  /** The step as the shrunk counterexample lists it (what the model made of it, such as a sweep's addresses, is in the error). */
  toString(): string {
    return describeAction(this.action);
  }
}

type Setup = (t: TestHush) => Promise<void>;
const nothing: Setup = () => Promise.resolve();
/** The victim's account, written to the store directly: creating it through requests would make world A serve more requests than B. */
const account =
  (confirmed: boolean): Setup =>
  async (t) => {
    const at = new Date(t.hush.flows.clock.now());
    await t.hush.store.identities.create({ id: 'victim', email: VICTIM, passwordHash: await t.hush.flows.hasher.hash(VICTIM_PASSWORD), verifiedAt: confirmed ? at : null, createdAt: at });
  };
/** The victim signed up and has not opened the link yet: the flow run outside any request, so it draws from the background stream. */
const pendingSignup: Setup = async (t) => {
  await t.hush.runGuarded(signup, { email: VICTIM }, { ip: '192.0.2.99', userAgent: 'victim' });
  await t.deliver();
};

/** The victim's confirmed account with TOTP in force (and recovery codes), written to the store directly. */
const accountWithTotp: Setup = async (t) => {
  await account(true)(t);
  const sf = t.hush.flows.secondFactor;
  const identity = await t.hush.store.identities.findById('victim');
  if (identity === null) throw new Error('no victim');
  const fresh = sf.newSecret(identity);
  const at = new Date(t.hush.flows.clock.now());
  await t.hush.store.secondFactors.setPending('victim', fresh.sealed, at);
  await t.hush.store.secondFactors.enable('victim', fresh.sealed, totpStep(at.getTime()), at);
  await t.hush.store.secondFactors.replaceRecoveryCodes('victim', sf.newRecoveryCodes().hashes, at);
};

/** `share` scales a variant's runs (the TOTP variant runs a quarter as many: the CI budget). */
const VARIANTS: { name: string; a: Setup; b: Setup; share: number }[] = [
  { name: 'the victim has a confirmed account / has none', a: account(true), b: nothing, share: 1 },
  { name: 'the victim’s account is confirmed / is not (an identity from before sign-up proved the mailbox)', a: account(true), b: account(false), share: 1 },
  { name: 'the victim has a sign-up pending / has none', a: pendingSignup, b: nothing, share: 1 },
  { name: 'the victim has an account with TOTP / has none', a: accountWithTotp, b: nothing, share: 0.25 },
];

/**
 * Every guard configuration, each with its number of sequences per pair of
 * worlds (HUSH_TWO_WORLDS_SCALE multiplies them) and their longest length:
 * 3 × (12 + 3 + 10) = 75 sequences, about three minutes on a loaded 2-core
 * machine, what the CI budget affords on every submission; before a change to
 * a flow, a guard or a rule, run it at HUSH_TWO_WORLDS_SCALE=4 or more.
 * Proof-of-work runs fewer and shorter ones: the attacker solves a challenge
 * before every guarded post, up to 16,000 tries (about 0.1 s) once a guard or
 * a rule has raised the difficulty.
 */
const CONFIGS: { name: string; env: Record<string, string>; runs: number; steps: number }[] = [
  { name: 'limits on, detection with the shipped rules', env: {}, runs: 12, steps: 40 },
  { name: 'limits, proof-of-work and detection on', env: { HUSH_POW: 'on', HUSH_POW_DIFFICULTY: '1000' }, runs: 3, steps: 25 },
  { name: 'no limits (the flows alone)', env: { HUSH_LIMITS: 'off' }, runs: 10, steps: 40 },
];
const SCALE = Number(process.env['HUSH_TWO_WORLDS_SCALE'] ?? 1);

/**
 * Two embedded databases for the whole file, emptied before each run: a fresh
 * one per world per run would spend most of the budget starting PGlite.
 */
const databases: DatabaseHandle[] = [];
beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const db = await openMemoryDatabase();
    await migrate(db.db);
    databases.push(db);
  }
}, 120_000);
afterAll(async () => {
  for (const db of databases) await db.close();
});

async function emptied(db: DatabaseHandle): Promise<DatabaseHandle> {
  const tables = await sql<{ tablename: string }>`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'hush_migrations'`.execute(db.db);
  await sql.raw(`TRUNCATE ${tables.rows.map((r) => `"${r.tablename}"`).join(', ')}`).execute(db.db);
  // The instance closes its database when it closes; this one outlives it.
  return { ...db, close: () => Promise.resolve() };
}

async function world(env: Record<string, string>, seed: number, setup: Setup, db: DatabaseHandle): Promise<World> {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const t = await testHush({ HUSH_FLOOR_MIN: '0ms', HUSH_HASH_THREADS: '1', ...env }, { clock, random: new SeededRandom(seed), database: await emptied(db) });
  await setup(t);
  return { t, clock, ip: ADDRESSES[0], cookies: new Map(), pow: env['HUSH_POW'] === 'on', recoveryCodes: [] };
}

describe.each(CONFIGS)('two worlds ($name)', ({ env, runs, steps }) => {
  it.each(VARIANTS)('$name: every attacker sequence sees the same', async ({ a, b, share }) => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.commands(actions.flatMap(([weight, arb]) => Array.from({ length: weight }, () => arb.map((x) => new Attack(x)))), { maxCommands: steps, size: 'large' }), async (seed, commands) => {
        const [dbA, dbB] = databases;
        if (dbA === undefined || dbB === undefined) throw new Error('no databases');
        const worlds = { a: await world(env, seed, a, dbA), b: await world(env, seed, b, dbB) };
        try {
          await fc.asyncModelRun(() => ({ model: { ip: ADDRESSES[0], named: new Map(), listed: 0, chosen: [] }, real: worlds }), commands);
        } finally {
          await worlds.a.t.close();
          await worlds.b.t.close();
        }
      }),
      { numRuns: Math.max(1, Math.round(runs * share * SCALE)) },
    );
  }, 600_000);
});
