import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';

function capture(): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  return { out: () => out, err: () => err };
}
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('hush rules', () => {
  it('check: the shipped rules are valid', async () => {
    const io = capture();
    expect(await runCli(['node', 'hush', 'rules', 'check'])).toBe(0);
    expect(io.out()).toContain('9 rules OK');
  });

  it('check: a bad file in --dir fails with file:line:col, path and problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), 'id: bad\nname: Bad\nevents: [users.signup]\nwindow: 5m\ncases:\n  - threshold: -1\n    severity: low\n');
    const io = capture();
    expect(await runCli(['node', 'hush', 'rules', 'check', '--dir', dir])).toBe(1);
    expect(io.err()).toMatch(/bad\.yaml:6:\d+: cases\[0\]\.threshold: /);
  });

  it('test: replays events with their own timestamps and prints the signals; bad lines are reported and skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-cli-'));
    const lines = Array.from({ length: 6 }, (_, i) => JSON.stringify({ name: 'users.password_reset', at: `2025-06-01T10:00:${String(i * 10).padStart(2, '0')}Z`, 'usr.login': `u${i}@example.com`, 'usr.exists': true, 'network.client.ip': '203.0.113.9' }));
    lines.splice(3, 0, '{not json', JSON.stringify({ name: 'users.password_reset', 'usr.exists': 'yes' }));
    writeFileSync(join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
    const io = capture();
    expect(await runCli(['node', 'hush', 'rules', 'test', 'rules/password-reset-enumeration.yaml', '--events', join(dir, 'events.jsonl')])).toBe(0);
    expect(io.out()).toMatch(/opened\s+2025-06-01T10:00:50\.000Z\s+medium\s+password-reset-enumeration\s+network\.client\.ip=203\.0\.113\.9/);
    expect(io.out()).toContain('→ block_ip 203.0.113.9 for 15m');
    expect(io.err()).toContain('events.jsonl:4: not valid JSON');
    expect(io.err()).toContain('events.jsonl:5: usr.exists: is not true or false');
    expect(io.err()).toContain('6 events replayed, 2 refused, 1 signal change');
  });
});
