import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { KNOWN } from './helpers.js';
import { startLeakyServer } from './leaky-server.js';
import type { LeakyServer } from './leaky-server.js';

const known = KNOWN.flatMap((k) => ['--known', k]);
const small = ['--samples', '80', '--warmup', '5'];

describe('hush audit (command line)', () => {
  let leaky: LeakyServer;
  let clean: LeakyServer;
  let csrf: LeakyServer;
  let limited: LeakyServer;
  let lockout: LeakyServer;
  const dir = mkdtempSync(join(tmpdir(), 'hush-audit-'));

  beforeAll(async () => {
    leaky = await startLeakyServer({ leak: { kind: 'body-word' }, known: KNOWN });
    clean = await startLeakyServer({ leak: { kind: 'none' }, known: KNOWN });
    csrf = await startLeakyServer({ leak: { kind: 'status' }, known: KNOWN, csrf: true });
    limited = await startLeakyServer({ leak: { kind: 'rate-limit-all', after: 10 }, known: KNOWN });
    lockout = await startLeakyServer({ leak: { kind: 'lockout', after: 2 }, known: KNOWN });
  });
  afterAll(async () => {
    await Promise.all([leaky.close(), clean.close(), csrf.close(), limited.close(), lockout.close()]);
  });

  it('--repeat with a fresh client per run finds a lockout in the third request, and --observe reads the observer', async () => {
    const json = join(dir, 'repeat.json');
    const r = await runCli(['audit', '--url', lockout.url, '--body', '{"email":"{{id}}","password":"{{password}}"}', '--header', 'X-Forwarded-For: {{client}}', '--repeat', '3', '--observe', `${lockout.origin}/healthz`, ...known, '--samples', '40', '--warmup', '2', '--json', json]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/step 3 \(request 3\)\n\s+status\s+FINDING/);
    expect(r.stdout).toContain('known "423"');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.bonferroni).toBe(4 * 6);
    expect(report.endpoints[0].parts.map((p: { name: string }) => p.name)).toEqual(['step 1 (request 1)', 'step 2 (request 2)', 'step 3 (request 3)', 'observer GET /healthz']);
  }, 60_000);

  it('exit 1 on a finding, with --json and a self-contained --html report', async () => {
    const json = join(dir, 'r.json');
    const html = join(dir, 'r.html');
    const r = await runCli(['audit', '--url', leaky.url, '--body', '{"email":"{{id}}","password":"x"}', ...known, ...small, '--json', json, '--html', html]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/body\s+FINDING/);
    expect(r.stdout).toContain('[-your-]{+the+}');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.finding).toBe(true);
    expect(report.endpoints[0].verdicts.map((v: { channel: string }) => v.channel)).toEqual(['status', 'headers', 'body', 'time']);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain('<polyline');
    expect(page).not.toMatch(/(src|href)=["']?https?:/);
    expect(page).not.toContain('<script');
    // No secret from the request (the password) in any output.
    expect(r.stdout + page + readFileSync(json, 'utf8')).not.toContain('"password":"x"');
  }, 60_000);

  it('exit 0 with no finding, stating the smallest difference it could have seen (form body)', async () => {
    const r = await runCli(['audit', '--url', clean.url, '--form', 'email={{id}}&password=x', ...known, ...small]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no difference above [\d.]+ µs/);
    expect(r.stdout).toContain('no finding at α = 0.001');
  }, 60_000);

  it('--spec with a setup request that fetches a CSRF token and cookie', async () => {
    const spec = join(dir, 'audit.yaml');
    writeFileSync(
      spec,
      `known: [${KNOWN.join(', ')}]
samples: 80
endpoints:
  - name: login
    url: ${csrf.url}
    form: 'email={{id}}&csrf={{csrf}}'
    setup:
      url: ${csrf.origin}/form
      extract:
        csrf: { from: body, pattern: 'name="csrf" value="([^"]+)"' }
`,
    );
    const r = await runCli(['audit', '--spec', spec, '--warmup', '5']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/status\s+FINDING/);
    expect(r.stdout).toContain('known "200"');
  }, 60_000);

  it('exit 2 when the target rate-limits both classes alike', async () => {
    const r = await runCli(['audit', '--url', limited.url, '--body', '{"email":"{{id}}"}', ...known, ...small]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hush: login|^hush: POST \/login: the target rate-limits the audit/m);
  }, 60_000);

  it.each([
    [['audit'], /give exactly one of --url, --spec, --hush/],
    [['audit', '--url', 'http://127.0.0.1:1/x', '--body', '{"email":"{{id}}"}'], /at least one known identifier/],
    [['audit', '--url', 'http://127.0.0.1:1/x', '--body', '{"email":"a"}', '--known', 'a@b.c'], /never uses \{\{id\}\}/],
    [['audit', '--url', 'http://127.0.0.1:1/x', '--body', '{email:{{id}}}', '--known', 'a@b.c'], /--body is not valid JSON/],
    [['audit', '--url', 'ftp://x/y', '--form', 'e={{id}}', '--known', 'a@b.c'], /only http and https/],
    [['audit', '--url', 'http://x/y', '--form', 'e={{id}}', '--known', 'a@b.c', '--alpha', '2'], /alpha.*between 0 and 0.5/],
    [['audit', '--url', 'http://x/y', '--form', 'e={{id}}', '--known', 'a@b.c', '--samples', 'many'], /not a whole number/],
    [['audit', '--spec', '/nonexistent/audit.yaml'], /cannot read spec/],
    [['audit', '--url', 'http://127.0.0.1:1/login', '--form', 'email={{id}}', '--known', 'a@b.c'], /cannot reach http:\/\/127\.0\.0\.1:1: ECONNREFUSED/],
  ])('exit 2 with one clear line: %j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 30_000);
});
