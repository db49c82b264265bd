import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRulesDir, formatRuleError, loadRules, parseRuleText, RuleLoadError } from '../../../src/detect/load-rules.js';
import { ruleJsonSchema } from '../../../src/detect/rule-schema.js';
import { EXISTENCE_FIELDS, isVisibleResponse } from '../../../src/detect/rule.js';

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
    // Datadog's two cases grade the severity; a third, blind to existence, answers (design §4.2).
    expect(rule.cases.map((c) => [c.name, c.severity, c.distinct, c.grades])).toEqual([
      ['existing accounts', 'medium', 5, true],
      ['unknown accounts', 'low', 5, true],
      ['any accounts', 'info', 5, false],
    ]);
    expect(rule.cases[2]!.responses.map((r) => r.kind)).toEqual(['block_ip', 'notify']);
  });

  it('no shipped rule answers visibly on a case that reads usr.exists or usr.id, nor groups or counts by them', () => {
    for (const rule of loadRules([defaultRulesDir()])) {
      const visible = rule.cases.some((c) => c.responses.some(isVisibleResponse));
      if (!visible) continue;
      expect([...rule.groupBy, rule.distinct].filter((f) => f !== undefined && EXISTENCE_FIELDS.includes(f)), rule.id).toEqual([]);
      for (const c of rule.cases) if (c.grades) expect(c.responses, `${rule.id}: ${c.name}`).toEqual([]);
    }
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

/** The enumeration rule as it shipped before issue 13: "exists" blocked, "unknown" raised proof-of-work. */
const LEAKY = `id: leaky
name: Leaky enumeration
events: [users.password_reset]
group_by: [network.client.ip]
distinct: usr.login
window: 5m
cases:
  - name: existing accounts
    where: { usr.exists: true }
    threshold: 5
    severity: medium
    responses:
      - block_ip: 15m
      - notify: { url_env: HUSH_DETECT_WEBHOOK_URL }
  - name: unknown accounts
    where: { usr.exists: false }
    threshold: 5
    severity: low
    responses:
      - raise_pow: { for: 1h, factor: 4 }
`;

/** One response-bearing case blind to existence, the others grading: what the shipped rule now is. */
const GRADED = `id: graded
name: Graded enumeration
events: [users.password_reset]
group_by: [network.client.ip]
distinct: usr.login
window: 5m
cases:
  - name: existing accounts
    where: { usr.exists: true }
    threshold: 5
    severity: medium
  - name: any accounts
    threshold: 5
    severity: low
    responses:
      - block_ip: 15m
`;

describe('a visible answer may not depend on whether an account exists (design §4.2)', () => {
  it('refuses a case that reads usr.exists and blocks or raises proof-of-work, naming the file, line, rule and each case', () => {
    const { rule, errors } = parseRuleText(LEAKY, 'rules/leaky.yaml');
    expect(rule).toBeUndefined();
    expect(errors.map((e) => [e.file, e.path, e.line])).toEqual([
      ['rules/leaky.yaml', 'cases[0].responses', 13],
      ['rules/leaky.yaml', 'cases[1].responses', 20],
    ]);
    expect(errors[0]!.message).toMatch(/^rule "leaky", case "existing accounts" reads usr\.exists and answers with block_ip, which the attacker can see/);
    expect(errors[1]!.message).toMatch(/^rule "leaky", case "unknown accounts" reads usr\.exists and answers with raise_pow, which the attacker can see/);
    expect(formatRuleError(errors[0]!)).toMatch(/^rules\/leaky\.yaml:13:\d+: cases\[0\]\.responses: rule "leaky", case "existing accounts"/);
  });

  it('loadRules and hence `hush rules check` refuse such a file in HUSH_RULES_DIR, even one that replaces a default or is disabled', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hush-rules-'));
    writeFileSync(join(dir, 'mine.yaml'), LEAKY.replace('id: leaky', 'id: password-reset-enumeration'));
    writeFileSync(join(dir, 'off.yaml'), `${LEAKY.replace('id: leaky', 'id: off')}enabled: false\n`);
    let caught: unknown;
    try {
      loadRules([defaultRulesDir(), dir], { cwd: dir });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RuleLoadError);
    const message = (caught as Error).message;
    expect(message).toContain('mine.yaml:13:7: cases[0].responses: rule "password-reset-enumeration", case "existing accounts" reads usr.exists');
    expect(message).toContain('mine.yaml:20:7: cases[1].responses: rule "password-reset-enumeration", case "unknown accounts" reads usr.exists');
    expect(message).toContain('off.yaml:13:7: cases[0].responses: rule "off", case "existing accounts"');
  });

  it('reads through any field that says whether an account exists: usr.exists among other fields or as a list, and usr.id', () => {
    const many = LEAKY.replace('where: { usr.exists: true }', 'where: { name: users.password_reset, usr.exists: [true, false] }');
    expect(problems(many).filter((p) => p.includes('cases[0].responses'))).toHaveLength(1);
    const byId = LEAKY.replace('where: { usr.exists: true }', 'where: { usr.id: abc }');
    expect(problems(byId)[0]).toMatch(/cases\[0\]\.responses: rule "leaky", case "existing accounts" reads usr\.id and answers with block_ip/);
  });

  it('refuses a rule that blocks or raises proof-of-work while grouping or counting distinct values by usr.exists or usr.id', () => {
    const grouped = GOOD.replace('group_by: [network.client.ip]', 'group_by: [network.client.ip, usr.exists]').replace('    severity: low\n', '    severity: low\n    responses:\n      - raise_pow: { for: 1h, factor: 4 }\n');
    expect(problems(grouped)).toEqual([expect.stringMatching(/^4:group_by\[1\]: rule "custom" groups by usr\.exists and answers with raise_pow, which the attacker can see/)]);
    const distinct = grouped.replace('group_by: [network.client.ip, usr.exists]', 'group_by: [network.client.ip]\ndistinct: usr.id');
    expect(problems(distinct)).toEqual([expect.stringMatching(/^5:distinct: rule "custom" counts distinct usr\.id and answers with raise_pow/)]);
  });

  it('a case that reads usr.exists in a visibly answering rule only grades: a notify on it would never run, and is refused', () => {
    const out = problems(GRADED.replace('    severity: medium\n', '    severity: medium\n    responses:\n      - notify: { url: https://hooks.example.com/x }\n'));
    expect(out).toEqual([expect.stringMatching(/^\d+:cases\[0\]\.responses: rule "graded", case "existing accounts" reads usr\.exists in a rule that answers with block_ip \(case "any accounts"\), so it only grades the signal's severity and never answers/)]);
  });

  it('accepts grading cases without responses, and a rule that reads usr.exists but only notifies (severity and webhooks are internal)', () => {
    const { rule, errors } = parseRuleText(GRADED, 'rules/graded.yaml');
    expect(errors).toEqual([]);
    expect(rule!.cases.map((c) => c.grades)).toEqual([true, false]);
    const notifyOnly = LEAKY.replace('      - block_ip: 15m\n', '').replace('      - raise_pow: { for: 1h, factor: 4 }\n', '      - notify: { url_env: HUSH_DETECT_WEBHOOK_URL }\n');
    const parsed = parseRuleText(notifyOnly, 'rules/n.yaml');
    expect(parsed.errors).toEqual([]);
    // Nothing answers visibly, so no case grades: the first that holds wins, as everywhere else.
    expect(parsed.rule!.cases.map((c) => c.grades)).toEqual([false, false]);
  });
});
