import type { Random } from '../kernel/random.js';
import { strongPassword } from './sequence.js';
import type { Observer, Probe, Step } from './types.js';

/**
 * What `hush audit --hush URL` runs. Every request carries `X-Forwarded-For:
 * {{client}}`, a fresh address per run: run the target with
 * `HUSH_TRUST_PROXY=1` so that one run's per-address state (a limit, a
 * raised proof-of-work, a block) cannot spill into the next run, and with
 * `HUSH_POW=off` (the auditor solves no proof-of-work).
 */

/** Login failures per address and identifier before hush answers 429 (`HUSH_LIMIT_LOGIN_PAIR`, 10/15m by default). */
export const HUSH_LOGIN_LIMIT = 10;
/** Distinct addresses one client may ask to reset before the shipped password-reset-enumeration rule answers (more than 5). */
export const HUSH_RESET_SWEEP = 6;
/** Samples per class for the sequences: each is several requests, and what they find is a reply that differs every time. */
const SEQUENCE_SAMPLES = 24;

const CLIENT: [string, string] = ['x-forwarded-for', '{{client}}'];
const JSON_ACCEPT: [string, string] = ['accept', 'application/json'];

/** The hush JSON API endpoints that take an identifier (issue 3), each followed by the after-effect observer on `/healthz`. */
export function hushProbes(base: string, known: string[], random: Random): Probe[] {
  const origin = base.replace(/\/+$/, '');
  // A fresh strong password, never a real one. Sign-up takes the address alone
  // (the password is chosen after the mailbox is proven), so no probe ever sets one.
  const loginBody = JSON.stringify({ email: '{{id}}', password: strongPassword(random) });
  const idOnly = '{"email":"{{id}}"}';
  const make = (name: string, path: string, template: string): Probe => ({
    name,
    url: `${origin}${path}`,
    method: 'POST',
    headers: [JSON_ACCEPT, CLIENT],
    body: { kind: 'json', template },
    known,
    observe: afterEffect(origin),
  });
  return [make('signup', '/v1/signup', idOnly), make('login', '/v1/login', loginBody), make('recovery', '/v1/recovery', idOnly), make('magic-link', '/v1/magic-link', idOnly)];
}

/**
 * The sequences: sign up then sign in with the password given at sign-up;
 * two resets in a row; one login more than the limit with a wrong password;
 * and a sweep of resets over distinct addresses with the identifier last, the
 * pattern detection answers. Each is followed by an observer on the
 * proof-of-work challenge, which says the difficulty this client must solve:
 * a detection answer that depends on whether the accounts exist shows there.
 */
export function hushSequenceProbes(base: string, known: string[]): Probe[] {
  const origin = base.replace(/\/+$/, '');
  const step = (name: string, path: string, template: string): Step => ({ name, url: `${origin}${path}`, method: 'POST', headers: [JSON_ACCEPT, CLIENT], body: { kind: 'json', template }, extract: {} });
  const withPassword = '{"email":"{{id}}","password":"{{password}}"}';
  const idOnly = '{"email":"{{id}}"}';
  const sequence = (name: string, steps: Step[], action: string, extra: Partial<Probe> = {}): Probe => ({
    name,
    url: steps[0]!.url,
    method: 'POST',
    headers: steps[0]!.headers,
    body: steps[0]!.body!,
    known,
    steps,
    observe: challenge(origin, action),
    samples: SEQUENCE_SAMPLES,
    ...extra,
  });
  // The wrong password is the run's own fresh one: never a real password, and the same for every attempt of the run.
  const wrongLogins = Array.from({ length: HUSH_LOGIN_LIMIT + 1 }, (_, i) => step(`login ${i + 1}`, '/v1/login', withPassword));
  const sweep = [...Array.from({ length: HUSH_RESET_SWEEP - 1 }, (_, i) => step(`recovery of another address ${i + 1}`, '/v1/recovery', '{"email":"{{fresh}}"}')), step('recovery', '/v1/recovery', idOnly)];
  return [
    sequence('signup then login', [step('signup', '/v1/signup', withPassword), step('login', '/v1/login', withPassword)], 'login'),
    sequence('recovery twice', [step('recovery 1', '/v1/recovery', idOnly), step('recovery 2', '/v1/recovery', idOnly)], 'recovery'),
    sequence(`login ×${HUSH_LOGIN_LIMIT + 1}`, wrongLogins, 'login'),
    // Detection reads events the outbox delivers (it polls every 200 ms): the observer waits for it.
    sequence('recovery sweep, identifier last', sweep, 'recovery', { compare: [sweep.length - 1], observe: { ...challenge(origin, 'recovery'), waitMs: 1000 } }),
  ];
}

/** The proof-of-work challenge this run's client must solve: its difficulty is what detection may have raised. */
function challenge(origin: string, action: string): Observer {
  return { url: `${origin}/v1/pow/challenge?action=${action}`, method: 'GET', headers: [JSON_ACCEPT, CLIENT], waitMs: 0, before: true };
}

/** A request right after the probe: work the server does after replying (mail sent inline, a cache filled) delays it. */
function afterEffect(origin: string): Observer {
  return { url: `${origin}/healthz`, method: 'GET', headers: [JSON_ACCEPT], waitMs: 0, before: false };
}
