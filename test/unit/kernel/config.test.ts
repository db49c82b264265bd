import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SETTINGS, loadConfig } from '../../../src/kernel/config.js';
import { ConfigError } from '../../../src/kernel/errors.js';
import { runCli } from '../../helpers/cli.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe('./.hush');
    expect(c.origin).toBe('http://localhost:8080');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.argon2Memory).toBe(19456);
    expect(c.recoveryTtl).toBe(30 * 60_000);
    expect(c.limitRecoveryIdentifier).toEqual({ points: 5, durationMs: 3_600_000 });
    expect(c.mailFrom).toBe('hush <no-reply@localhost>');
  });

  it('flags win over the environment', () => {
    expect(loadConfig({ HUSH_PORT: '9000' }, { port: '9100' }).port).toBe(9100);
    expect(loadConfig({ HUSH_PORT: '9000' }).origin).toBe('http://localhost:9000');
  });

  it('reports every bad value, one line each: the setting, the problem, what is allowed', () => {
    let err: unknown;
    try {
      loadConfig({ HUSH_PORT: '70000', HUSH_ORIGIN: 'https://x.test/path', HUSH_LOG_LEVEL: 'loud', HUSH_RECOVERY_TTL: 'soon', HUSH_LIMIT_LOGIN_PAIR: '10', REDIS_URL: 'http://r' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const lines = (err as Error).message.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe('HUSH_PORT: "70000" is above 65535; allowed: a whole number from 0 to 65535 (0 picks a free port)');
    expect(lines.find((l) => l.startsWith('HUSH_ORIGIN:'))).toMatch(/is not a bare origin; allowed: an http\(s\) origin/);
    expect(lines.find((l) => l.startsWith('HUSH_LOG_LEVEL:'))).toMatch(/"loud" is not a log level; allowed: fatal, error/);
    expect(lines.find((l) => l.startsWith('HUSH_RECOVERY_TTL:'))).toMatch(/"soon" is not a duration/);
    expect(lines.find((l) => l.startsWith('HUSH_LIMIT_LOGIN_PAIR:'))).toMatch(/is not a limit; allowed: COUNT\/DURATION/);
    // URLs may carry passwords: only their length is shown.
    expect(lines.find((l) => l.startsWith('REDIS_URL:'))).toMatch(/^REDIS_URL: "\(8 characters\)" is not a URL/);
  });

  it('never echoes a secret', () => {
    expect(() => loadConfig({ HUSH_SECRET: 'tooshort-but-secret' })).toThrow(/HUSH_SECRET: "\(19 characters\)" is shorter than 32/);
  });

  it('stops the CLI with exit 2 and the lines on stderr, never a stack trace', async () => {
    const r = await runCli(['migrate'], { env: { HUSH_PORT: 'x', HUSH_ARGON2_TIME: '99' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'hush: HUSH_PORT: "x" is not a whole number; allowed: a whole number from 0 to 65535 (0 picks a free port)',
      'hush: HUSH_ARGON2_TIME: "99" is above 10; allowed: a whole number from 1 to 10',
    ]);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('the README and docs/configuration.md list every setting', () => {
    const readme = readFileSync('README.md', 'utf8');
    const docs = readFileSync('docs/configuration.md', 'utf8');
    for (const s of Object.values(SETTINGS)) {
      expect(readme, s.env).toContain(`\`${s.env}\``);
      expect(docs, s.env).toContain(`\`${s.env}\``);
    }
  });
});
