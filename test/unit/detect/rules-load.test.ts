import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRulesDir, loadRules, parseRuleText, RuleLoadError } from '../../../src/detect/load-rules.js';
import { ruleJsonSchema } from '../../../src/detect/rule-schema.js';

const GOOD = `id: custom
name: Custom
events: [users.login.failure]
group_by: [network.client.ip]
window: 5m
cases:
  - threshold: 5
    severity: low
`;

function problems(text: string): string[] {
  return parseRuleText(text, 'rules/x.yaml').errors.map((e) => `${e.line ?? '-'}:${e.path}: ${e.message}`);
}

describe('rule files', () => {
  it('the shipped defaults load, every one of the issue', () => {
    const ids = loadRules([defaultRulesDir()]).map((r) => r.id).sort();
    expect(ids).toEqual(['bots', 'brute-force', 'credential-stuffing', 'excessive-signups', 'login-enumeration', 'login-failure-spike', 'password-reset-enumeration', 'reset-flooding', 'reset-spike']);
  });

  it('the published JSON Schema is the one the code validates with', () => {
    const published: unknown = JSON.parse(readFileSync(join(defaultRulesDir(), 'rule.schema.json'), 'utf8'));
    expect(published).toEqual(ruleJsonSchema());
  });

  it('the enumeration rule is Datadog\'s, exactly: distinct usr.login per IP over 5 min, more than 5', () => {
    const rule = loadRules([defaultRulesDir()]).find((r) => r.id === 'password-reset-enumeration')!;
    expect(rule).toMatchObject({ events: ['users.password_reset'], groupBy: ['network.client.ip'], distinct: 'usr.login', windowMs: 300_000 });
    expect(rule.cases.map((c) => [c.severity, c.distinct])).toEqual([['medium', 5], ['low', 5]]);
  });

  it('a good file has no problems', () => {
    expect(problems(GOOD)).toEqual([]);
  });

  it('a bad severity names the file, the line, the path and the allowed values', () => {
    const text = GOOD.replace('severity: low', 'severity: urgent');
    const { errors } = parseRuleText(text, 'rules/x.yaml');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'rules/x.yaml', path: 'cases[0].severity', line: 8 });
    expect(errors[0]!.message).toMatch(/critical/);
  });

  it('unknown keys, bad fields, bad durations and missing parts are each reported with their path', () => {
    const text = `id: Bad Id
name: x
events: [login]
group_by: [ip]
window: 5 minutes
colour: red
cases: []
`;
    const out = problems(text);
    expect(out.some((p) => p.startsWith('1:id:'))).toBe(true);
    expect(out.some((p) => p.includes(':events[0]: is not an event name'))).toBe(true);
    expect(out.some((p) => p.includes(':group_by[0]: is not an event field'))).toBe(true);
    expect(out.some((p) => p.includes(':window: is not a duration'))).toBe(true);
    expect(out.some((p) => p.includes('colour'))).toBe(true);
    expect(out.some((p) => p.includes(':cases:'))).toBe(true);
  });

  it('semantic problems: keep-alive shorter than the window, a distinct threshold without a distinct field, a where on an unread event', () => {
    const text = `id: x
name: x
events: [users.login.failure]
window: 1h
keep_alive: 30m
cases:
  - where: { name: users.signup }
    threshold: { distinct: 3 }
    severity: low
`;
    const out = problems(text);
    expect(out).toContain('5:keep_alive: is shorter than the window');
    expect(out).toContain('8:cases[0].threshold.distinct: needs the rule to have a `distinct` field');
    expect(out.some((p) => p.includes('cases[0].where.name: names "users.signup"'))).toBe(true);
  });

  it('broken YAML is reported with its line', () => {
    const out = problems('id: x\nname: [unclosed\n');
    expect(out[0]).toMatch(/^\d+::.*not valid YAML/);
  });

  it('loadRules collects every problem of every file, with file names, and catches duplicate ids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-rules-'));
    writeFileSync(join(dir, 'a.yaml'), GOOD);
    writeFileSync(join(dir, 'b.yaml'), GOOD);
    writeFileSync(join(dir, 'c.yaml'), GOOD.replace('id: custom', 'id: other').replace('window: 5m', 'window: 5y'));
    let caught: unknown;
    try {
      loadRules([dir], { cwd: dir });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RuleLoadError);
    const message = (caught as Error).message;
    expect(message).toContain('b.yaml: id: "custom" is also the id of a.yaml');
    expect(message).toContain('c.yaml:5:9: window: is not a duration');
  });

  it('a later folder replaces a default by id, and enabled: false turns it off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-rules-'));
    writeFileSync(join(dir, 'bots.yaml'), GOOD.replace('id: custom', 'id: bots').replace('threshold: 5', 'threshold: 50'));
    writeFileSync(join(dir, 'off.yaml'), `${GOOD.replace('id: custom', 'id: reset-flooding')}enabled: false\n`);
    const rules = loadRules([defaultRulesDir(), dir]);
    expect(rules.find((r) => r.id === 'bots')?.cases[0]?.count).toBe(50);
    expect(rules.find((r) => r.id === 'reset-flooding')).toBeUndefined();
  });
});
