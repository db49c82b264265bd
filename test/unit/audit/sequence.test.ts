import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smallestCount } from '../../../src/audit/analyze.js';
import { compareContent } from '../../../src/audit/compare.js';
import { CookieJar, clientAddress, partNames, render, stepsOf } from '../../../src/audit/sequence.js';
import { features } from '../../../src/audit/signature.js';
import { loadSpec } from '../../../src/audit/spec.js';
import type { Probe, Reply } from '../../../src/audit/types.js';
import { SeededRandom } from '../../../src/kernel/random.js';

const r = new SeededRandom(11);
const ctx = { random: r, knownSet: new Set(['alice@example.com']), shape: 'alice@example.com' };
const base: Probe = { name: 'login', url: 'http://127.0.0.1:1/login', method: 'POST', headers: [], body: { kind: 'json', template: '{"email":"{{id}}"}' }, known: ['alice@example.com'] };

describe('sequences', () => {
  it('names the compared replies: none for one request, steps and the observer otherwise', () => {
    expect(partNames(base)).toEqual([undefined]);
    expect(partNames({ ...base, repeat: 3, compare: [2] })).toEqual(['step 3 (request 3)']);
    expect(stepsOf({ ...base, repeat: 3 })).toHaveLength(3);
    expect(partNames({ ...base, observe: { url: 'http://127.0.0.1:1/healthz?x=1', method: 'GET', headers: [], waitMs: 0, before: false } })).toEqual(['step 1 (login)', 'observer GET /healthz?x=1']);
  });

  it('renders each {{fresh}} as a new unknown identifier, the run values escaped, headers filled', () => {
    const req = render(
      { url: 'http://127.0.0.1:1/r?c={{client}}', method: 'POST', headers: [['x-forwarded-for', '{{client}}']], body: { kind: 'json', template: '["{{fresh}}","{{fresh}}","{{id}}","{{password}}"]' } },
      { id: 'a"b@example.com', password: 'p', client: '198.18.0.1' },
      undefined,
      ctx,
    );
    const [f1, f2, id] = JSON.parse(req.body!) as string[];
    expect(f1).not.toBe(f2);
    expect(f1).toMatch(/^[a-z]{5}@example\.com$/);
    expect(id).toBe('a"b@example.com');
    expect(req.headers).toContainEqual(['x-forwarded-for', '198.18.0.1']);
    expect(req.url).toBe('http://127.0.0.1:1/r?c=198.18.0.1');
  });

  it('keeps the cookies a run receives, and drops the ones it is told to', () => {
    const jar = new CookieJar('csrf=abc');
    jar.take({ status: 200, headers: [['set-cookie', 'sid=1; Path=/; HttpOnly']], body: '' });
    expect(jar.header()).toBe('csrf=abc; sid=1');
    jar.take({ status: 200, headers: [['set-cookie', 'sid=; Max-Age=0']], body: '' });
    expect(jar.header()).toBe('csrf=abc');
  });

  it('draws client addresses from 198.18.0.0/15 only', () => {
    for (let i = 0; i < 200; i++) expect(clientAddress(r)).toMatch(/^198\.(18|19)\.\d{1,3}\.\d{1,3}$/);
  });
});

describe('bytes and changes', () => {
  const reply = (body: string, rawNames?: string[]): Reply => ({ status: 200, headers: [['content-type', 'application/json']], body, ...(rawNames === undefined ? {} : { rawNames }) });

  it('finds the same JSON in other bytes, and the same header under another spelling', () => {
    const k = Array.from({ length: 20 }, () => reply('{"ok": true}', ['Content-Type']));
    const u = Array.from({ length: 20 }, () => reply('{"ok":true}', ['content-type']));
    const res = compareContent(k, u);
    const body = res.find((c) => c.channel === 'body')!;
    expect(body.keys.filter((x) => x.p < 1e-3).map((x) => x.key)).toEqual(['body bytes']);
    expect(res.find((c) => c.channel === 'headers')!.keys[0]!.key).toBe('header names as sent');
  });

  it('masks a nonce in the bytes as it does in the values', () => {
    const nonce = (): string => Array.from(r.bytes(9), (b) => b.toString(16).padStart(2, '0')).join('');
    const k = Array.from({ length: 20 }, () => reply(`{"ok":true,"csrf":"${nonce()}"}`));
    const u = Array.from({ length: 20 }, () => reply(`{"ok":true,"csrf":"${nonce()}"}`));
    for (const c of compareContent(k, u)) expect(c.p).toBe(1);
  });

  it('compares what changed since the observer was read before the run', () => {
    const f = features({ ...reply('{"count":8,"at":"x"}'), before: reply('{"count":7,"at":"x"}') });
    expect(f.find((x) => x.key === '$.count since before the run')?.value).toBe('changed by 1');
    expect(f.find((x) => x.key === '$.at since before the run')?.value).toBe('same');
  });

  it('states the smallest content difference a run could see: more replies at a stricter α', () => {
    const loose = smallestCount(40, 1e-3, 1)!;
    const strict = smallestCount(40, 1e-6, 20)!;
    expect(loose).toBeLessThan(strict);
    expect(strict).toBeLessThanOrEqual(40);
    expect(smallestCount(5, 1e-6, 20)).toBeUndefined();
  });
});

describe('the spec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hush-audit-spec-'));
  const write = (text: string): string => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    return file;
  };

  it('reads steps, compare by name or number, an observer with a wait, and repeat', () => {
    const { probes } = loadSpec(
      write(`known: [a@example.com]
headers: { X-Forwarded-For: '{{client}}' }
observe: { url: http://127.0.0.1:1/healthz, before: false }
endpoints:
  - name: signup then login
    steps:
      - { name: signup, url: http://127.0.0.1:1/signup, json: '{"email":"{{id}}","password":"{{password}}"}', extract: { t: { from: body, name: token } } }
      - { name: login, url: http://127.0.0.1:1/login, json: '{"email":"{{id}}","t":"{{t}}"}' }
    compare: [login]
    samples: 24
  - url: http://127.0.0.1:1/reset
    json: '{"email":"{{id}}"}'
    repeat: 3
    compare: [3, 2]
    observe: { url: http://127.0.0.1:1/counter, wait: 2s }
`),
    );
    expect(probes[0]!.steps!.map((s) => s.name)).toEqual(['signup', 'login']);
    expect(probes[0]!.compare).toEqual([1]);
    expect(probes[0]!.samples).toBe(24);
    expect(probes[0]!.observe).toMatchObject({ method: 'GET', waitMs: 0, before: false, headers: [['x-forwarded-for', '{{client}}']] });
    expect(probes[0]!.steps![1]!.headers).toEqual([['x-forwarded-for', '{{client}}']]);
    expect(probes[1]!.repeat).toBe(3);
    expect(probes[1]!.compare).toEqual([1, 2]);
    expect(probes[1]!.observe).toMatchObject({ waitMs: 2000, before: true });
  });

  it.each([
    ['endpoints:\n  - { name: x }\nknown: [a@b.c]\n', /give url \(one request\) or steps/],
    ['known: [a@b.c]\nendpoints:\n  - { url: "http://h/x", json: "{}", compare: [login] }\n', /no step "login"/],
    ['known: [a@b.c]\nendpoints:\n  - steps: [{ url: "http://h/x", json: "{}" }]\n', /never uses \{\{id\}\}/],
    ['known: [a@b.c]\nendpoints:\n  - url: "http://h/x"\n    json: "{\\"e\\":\\"{{id}}\\"}"\n    observe: { url: "ftp://h/y" }\n', /only http and https/],
  ])('refuses a bad sequence with a clear message (%#)', (text, message) => {
    expect(() => loadSpec(write(text))).toThrow(message);
  });
});
