import { describe, expect, it } from 'vitest';
import { testHush, tokenOf } from '../helpers/hush.js';
import { loggerInto } from '../helpers/log.js';

/** design.md §4.2: flows that handle a password and a token, logged at debug level, leave neither in the log. */
describe('logs carry no secret', () => {
  it('sign-up, verify, choosing a password, login, reset and a failing request at debug level', async () => {
    const lines: string[] = [];
    const t = await testHush({ HUSH_LOG_LEVEL: 'debug' }, { logger: loggerInto(lines) });
    const password = 'Secret-Passphrase-4271';
    const newPassword = 'Another-Secret-9932';
    const secrets = [password, newPassword];
    try {
      await t.request('/v1/signup', { json: { email: 'log@example.com', password } });
      const verify = tokenOf(await t.linkFor('log@example.com', '/verify#'));
      secrets.push(verify);
      const v = await t.request('/v1/verify', { json: { token: verify } });
      const cookie = (v.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      secrets.push(cookie.split('=')[1] ?? 'missing-cookie');
      // The password sent with the sign-up (as an old client would) was ignored; the fresh session chooses it.
      expect((await t.request('/v1/password', { json: { password }, headers: { cookie } })).status).toBe(200);
      expect((await t.request('/v1/login', { json: { email: 'log@example.com', password } })).status).toBe(200);
      await t.request('/v1/login', { json: { email: 'log@example.com', password: newPassword } });
      await t.request('/v1/recovery', { json: { email: 'log@example.com' } });
      const reset = tokenOf(await t.linkFor('log@example.com', '/reset#'));
      secrets.push(reset);
      await t.request('/v1/recovery/confirm', { json: { token: reset, password: newPassword } });
      await t.request('/v1/session', { headers: { cookie } });
      // A failure inside a flow is logged with its error; the error must not drag the input along.
      await t.hush.database.db.schema.dropTable('sessions').cascade().execute();
      expect((await t.request('/v1/login', { json: { email: 'log@example.com', password: newPassword } })).status).toBe(500);
    } finally {
      await t.close();
    }
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(10);
    expect(log).toMatch(/"msg":"request"/);
    expect(log).toMatch(/"msg":"flow failed"/);
    for (const s of secrets) expect(log).not.toContain(s);
  });
});
