import { afterEach, describe, expect, it } from 'vitest';
import { testHush, observable } from '../helpers/hush.js';
import { createAccount } from '../helpers/accounts.js';
import type { TestHush } from '../helpers/hush.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { solve } from '../unit/guard/fixture.js';

/**
 * The guards inside the real server (createHush): under every verdict an
 * existing and an unknown identifier get byte-identical replies (design.md
 * §4.1), and a silent verdict sends no mail but records its event.
 */
const KNOWN = 'known@example.com';
let open: TestHush[] = [];
afterEach(async () => {
  for (const t of open) await t.close();
  open = [];
});

async function server(env: Record<string, string> = {}): Promise<{ t: TestHush; clock: ManualClock }> {
  const clock = new ManualClock(Date.now());
  const t = await testHush(env, { clock });
  open.push(t);
  const pow = env.HUSH_POW === 'on' ? { pow: await solve(await t.hush.guards.powChallenge('signup', '192.0.2.250')) } : {};
  await createAccount(t, KNOWN, 'known passphrase', { ip: '192.0.2.250', signupFields: pow });
  return { t, clock };
}

type Obs = Awaited<ReturnType<typeof observable>>;
async function pair(t: TestHush, path: string, body: (email: string) => Record<string, unknown>, ip = '198.51.100.7'): Promise<[Obs, Obs]> {
  const unknown = `nobody-${Math.random().toString(36).slice(2)}@example.com`;
  return [await observable(await t.request(path, { json: body(KNOWN) }, ip)), await observable(await t.request(path, { json: body(unknown) }, ip))];
}

describe('replies under every guard verdict', () => {
  it('pass and silent rate limit (recovery: 5 per identifier per hour)', async () => {
    const { t } = await server();
    const passed: Obs[] = [];
    for (let i = 0; i < 5; i++) {
      const [a, b] = await pair(t, '/v1/recovery', (email) => ({ email }));
      expect(a).toEqual(b);
      passed.push(a);
    }
    expect(passed[0]!.status).toBeLessThan(300);
    const [a, b] = await pair(t, '/v1/recovery', (email) => ({ email }));
    expect(a).toEqual(b);
    expect(a).toEqual(passed[0]); // silent looks like a pass
    const resets = (await t.mailbox()).filter((m) => m.to.includes(KNOWN) && m.links.some((l) => l.includes('reset')));
    expect(resets).toHaveLength(5); // …and sent nothing
  });

  it('throttle (login: 10 failures per address and identifier), Retry-After included', async () => {
    const { t } = await server();
    const body = (email: string): Record<string, unknown> => ({ email, password: 'wrong passphrase' });
    const unknown = 'nobody-throttle@example.com';
    for (let i = 0; i < 10; i++) {
      await t.request('/v1/login', { json: body(KNOWN) });
      await t.request('/v1/login', { json: body(unknown) });
    }
    const a = await observable(await t.request('/v1/login', { json: body(KNOWN) }));
    const b = await observable(await t.request('/v1/login', { json: body(unknown) }));
    expect(a.status).toBe(429);
    expect(a).toEqual(b);
    expect(a.headers.find(([k]) => k === 'retry-after')).toBeDefined();
  });

  it('blocked address', async () => {
    const { t } = await server();
    await t.hush.guards.blockIp({ cidr: '198.51.100.0/24', durationMs: 60_000, reason: 'test', source: 'test' });
    for (const path of ['/v1/recovery', '/v1/magic-link', '/v1/signup', '/v1/login']) {
      const [a, b] = await pair(t, path, (email) => ({ email, password: 'some passphrase here' }));
      expect(a).toEqual(b);
    }
  });

  it('honeypot', async () => {
    const { t } = await server();
    for (const path of ['/v1/recovery', '/v1/magic-link', '/v1/signup', '/v1/login']) {
      const [a, b] = await pair(t, path, (email) => ({ email, password: 'some passphrase here', website: 'http://spam.example' }));
      expect(a).toEqual(b);
    }
  });

  it('missing and bad proof-of-work: 400, the same for both', async () => {
    const { t } = await server({ HUSH_POW: 'on', HUSH_POW_DIFFICULTY: '1000' });
    for (const pow of [undefined, 'garbage']) {
      const [a, b] = await pair(t, '/v1/recovery', (email) => ({ email, ...(pow === undefined ? {} : { pow }) }));
      expect(a.status).toBe(400);
      expect(a).toEqual(b);
    }
  });
});

describe('a silent verdict', () => {
  it('sends no mail and records its event; the same request without the honeypot sends one (teeth)', async () => {
    const { t } = await server();
    const recoveryMail = async (): Promise<number> => (await t.mailbox()).filter((m) => m.to.includes(KNOWN) && m.links.some((l) => l.includes('reset'))).length;
    const before = await recoveryMail();
    await t.request('/v1/recovery', { json: { email: KNOWN, website: 'x' } });
    expect(await recoveryMail()).toBe(before);
    const rows = await t.hush.database.db.selectFrom('outbox').select(['kind', 'payload']).where('kind', '=', 'event').execute();
    const names = rows.map((r) => (r.payload as { name: string }).name);
    expect(names).toContain('hush.guard.honeypot');
    await t.request('/v1/recovery', { json: { email: KNOWN } });
    expect(await recoveryMail()).toBe(before + 1);
  });
});
