import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('hush rules', () => {
  it('check: the shipped rules are valid', async () => {
    const r = await runCli(['rules', 'check']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('9 rules OK');
  });

  it('check: a bad file in --dir fails with file:line:col, path and problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), 'id: bad\nname: Bad\nevents: [users.signup]\nwindow: 5m\ncases:\n  - threshold: -1\n    severity: low\n');
    const r = await runCli(['rules', 'check', '--dir', dir]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:6:\d+: cases\[0\]\.threshold: /);
  });

  it('test: replays events with their own timestamps and prints the signals; bad lines are reported and skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-cli-'));
    const lines = Array.from({ length: 6 }, (_, i) => JSON.stringify({ name: 'users.password_reset', at: `2025-06-01T10:00:${String(i * 10).padStart(2, '0')}Z`, 'usr.login': `u${i}@example.com`, 'usr.exists': true, 'network.client.ip': '203.0.113.9' }));
    lines.splice(3, 0, '{not json', JSON.stringify({ name: 'users.password_reset', 'usr.exists': 'yes' }));
    writeFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
    const r = await runCli(['rules', 'test', 'rules/password-reset-enumeration.yaml', '--events', join(dir, 'events.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/opened\s+2025-06-01T10:00:50\.000Z\s+medium\s+password-reset-enumeration\s+network\.client\.ip=203\.0\.113\.9/);
    expect(r.stdout).toContain('→ block_ip 203.0.113.9 for 15m');
    expect(r.stderr).toContain('events.jsonl:4: not valid JSON');
    expect(r.stderr).toContain('events.jsonl:5: usr.exists: is not true or false');
    expect(r.stderr).toContain('6 events replayed, 2 refused, 1 signal change');
  });
});
