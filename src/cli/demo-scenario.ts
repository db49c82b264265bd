import type { AccountEvent } from '../core/event.js';
import type { Random } from '../kernel/random.js';

/**
 * The day `hush demo` replays (docs/console.md): ordinary traffic for the
 * last 24 hours, with a day-and-night rhythm, from a crowd of addresses in
 * the documentation ranges, and four attacks in the last two hours, each of
 * which one of the shipped rules recognizes:
 *
 * 1. 95–80 min ago, 203.0.113.66 asks to reset the passwords of 90 accounts
 *    (password-reset-enumeration: blocked for 15 minutes, long lapsed);
 * 2. 55–40 min ago, six addresses of 198.51.100.0/24 try leaked passwords on
 *    hundreds of accounts, and one gets in (credential-stuffing);
 * 3. 20–12 min ago, 600 addresses of 2001:db8:bad::/48 ask for resets, about
 *    one each (reset-spike: no per-address rule can see it);
 * 4. through it all, someone keeps asking to reset one account's password
 *    (reset-flooding).
 *
 * Deterministic for a given random source: the same seed, the same day.
 */
export const DEMO_USERS = 200;
export const ENUMERATOR = '203.0.113.66';

export function demoUser(i: number): string {
  return `user${String(i).padStart(3, '0')}@example.com`;
}

const BROWSERS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
];

export function demoScenario(now: number, random: Random): AccountEvent[] {
  const out: AccountEvent[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[random.int(xs.length)] as T;
  const user = (): { login: string; exists: boolean } => {
    const i = 1 + random.int(DEMO_USERS + 40);
    return { login: demoUser(i), exists: i <= DEMO_USERS };
  };
  const crowd = (): string => (random.int(3) === 0 ? `192.0.2.${1 + random.int(250)}` : `2001:db8:100:${random.int(4096).toString(16)}::${(1 + random.int(65000)).toString(16)}`);
  const ev = (name: string, at: number, login: string | undefined, exists: boolean | undefined, ip: string, ua: string): void => {
    out.push({ name, at: Math.round(at), ...(login === undefined ? {} : { 'usr.login': login }), ...(exists === undefined ? {} : { 'usr.exists': exists }), 'network.client.ip': ip, 'http.useragent': ua, source: 'hush' });
  };

  // Ordinary traffic: per five minutes, more by day (UTC 7–22) than by night.
  const SLOT = 5 * 60_000;
  for (let t = now - 24 * 3_600_000; t < now; t += SLOT) {
    const hour = new Date(t).getUTCHours();
    const scale = hour >= 7 && hour <= 22 ? 1 : 0.3;
    const mix: [string, number][] = [['users.login.success', 9], ['users.login.failure', 1.5], ['users.signup', 0.8], ['users.password_reset', 1], ['users.magic_link', 1.2]];
    for (const [name, rate] of mix) {
      const n = Math.round(rate * scale * (0.5 + random.float()));
      for (let k = 0; k < n; k++) {
        const u = user();
        ev(name, t + random.float() * SLOT, name === 'users.signup' ? `new${random.int(1e6)}@example.org` : u.login, name === 'users.signup' ? false : u.exists, crowd(), pick(BROWSERS));
      }
    }
  }

  // 1. One address enumerates accounts through the reset form.
  for (let i = 0; i < 90; i++) {
    const u = 1 + ((i * 7) % (DEMO_USERS + 60));
    ev('users.password_reset', now - 95 * 60_000 + i * 10_000, demoUser(u), u <= DEMO_USERS, ENUMERATOR, 'python-requests/2.31.0');
  }

  // 2. Credential stuffing from six addresses of one /24; one attempt succeeds.
  for (let a = 0; a < 6; a++) {
    const ip = `198.51.100.${20 + a * 7}`;
    for (let i = 0; i < 70; i++) ev('users.login.failure', now - 55 * 60_000 + a * 20_000 + i * 12_000, demoUser(1 + random.int(DEMO_USERS + 100)), random.int(3) !== 0, ip, 'curl/8.5.0');
  }
  ev('users.login.success', now - 41 * 60_000, demoUser(42), true, '198.51.100.27', 'curl/8.5.0');

  // 3. A reset campaign spread over 600 addresses: about one request each.
  for (let i = 0; i < 600; i++) ev('users.password_reset', now - 20 * 60_000 + i * 800, i % 3 === 0 ? user().login : `list${i}@example.net`, i % 6 === 0, `2001:db8:bad:${(i % 256).toString(16)}::${(1 + i).toString(16)}`, pick(BROWSERS));

  // 4. One account's inbox flooded with reset mail, from anywhere.
  for (let i = 0; i < 12; i++) ev('users.password_reset', now - 70 * 60_000 + i * 4 * 60_000, demoUser(7), true, crowd(), pick(BROWSERS));

  return out.sort((a, b) => a.at - b.at);
}
