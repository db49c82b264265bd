import { describe, expect, it } from 'vitest';
import { compareContent } from '../../../src/audit/compare.js';
import { diffTokens, renderDiff } from '../../../src/audit/diff.js';
import { freshUnknown, unknownLike } from '../../../src/audit/identifiers.js';
import { ecdfSvg } from '../../../src/audit/report/html.js';
import { features, tokenize, words } from '../../../src/audit/signature.js';
import { renderBody } from '../../../src/audit/template.js';
import type { Reply } from '../../../src/audit/types.js';
import { SeededRandom } from '../../../src/kernel/random.js';

const r = new SeededRandom(7);
const hex = (n: number): string => Array.from(r.bytes(n), (b) => b.toString(16).padStart(2, '0')).join('');

function reply(over: Partial<Reply> = {}, extraHeaders: [string, string][] = []): Reply {
  return {
    status: 200,
    headers: [['date', 'Sun, 22 Nov 2026 04:00:00 GMT'], ['x-request-id', hex(8)], ['content-type', 'application/json'], ...extraHeaders],
    body: JSON.stringify({ ok: true, csrf: hex(12) }),
    ...over,
  };
}

const channel = (list: ReturnType<typeof compareContent>, ch: string) => list.find((c) => c.channel === ch)!;

describe('content comparison', () => {
  it('masks nonces learned within each class and finds nothing when nothing else differs', () => {
    const res = compareContent(Array.from({ length: 20 }, () => reply()), Array.from({ length: 20 }, () => reply()));
    for (const c of res) expect(c.p).toBe(1);
    expect(channel(res, 'headers').masked).toContain('header x-request-id');
    expect(channel(res, 'body').masked).toContain('$.csrf');
  });

  it('finds a header that only one class gets, with a tiny p-value', () => {
    const k = Array.from({ length: 20 }, () => reply({}, [['x-cache', 'hit']]));
    const u = Array.from({ length: 20 }, () => reply());
    const h = channel(compareContent(k, u), 'headers');
    expect(h.p).toBeLessThan(1e-8);
    expect(h.keys.map((x) => x.key)).toEqual(expect.arrayContaining(['header x-cache', 'header order']));
  });

  it('finds a value that differs only sometimes (a class-specific rate limit)', () => {
    const k = Array.from({ length: 60 }, (_, i) => reply({ status: i % 3 === 0 ? 429 : 200 }));
    const u = Array.from({ length: 60 }, () => reply());
    expect(channel(compareContent(k, u), 'status').p).toBeLessThan(1e-4);
  });

  it('does not flag a value that ticks alike in both classes (Date across a second boundary)', () => {
    const at = (i: number): [string, string][] => [['date', i < 10 ? 'Sun, 22 Nov 2026 04:00:00 GMT' : 'Sun, 22 Nov 2026 04:00:01 GMT']];
    const k = Array.from({ length: 20 }, (_, i) => ({ ...reply(), headers: [...at(i), ['x', '1']] as [string, string][] }));
    const u = Array.from({ length: 20 }, (_, i) => ({ ...reply(), headers: [...at(i + 1), ['x', '1']] as [string, string][] }));
    expect(channel(compareContent(k, u), 'headers').p).toBe(1);
  });

  it('treats JSON key order as part of the body', () => {
    const k = Array.from({ length: 10 }, () => reply({ body: '{"a":1,"b":2}' }));
    const u = Array.from({ length: 10 }, () => reply({ body: '{"b":2,"a":1}' }));
    const b = channel(compareContent(k, u), 'body');
    expect(b.p).toBeLessThan(1e-3);
    expect(b.keys[0]!.key).toBe('$ key order');
  });

  // An HTML page with a CSRF nonce (base64url, so sometimes with a `-`) and a
  // millisecond timestamp, sampled over 2 s (across a second boundary) as on a loaded machine: the nonce and
  // the timestamp must be masked whole, or each class splits into many variants
  // and a one-word leak falls below α at 40 replies per class (a CI failure).
  const page = (word: string, i: number): Reply =>
    reply({
      headers: [['content-type', 'text/html']],
      body: `<p>We sent a link to ${word} inbox.</p><input name="csrf" value="${Buffer.from(r.bytes(12)).toString('base64url')}"><footer>${new Date(Date.UTC(2026, 10, 30, 20, 15, 38) + i * 50).toISOString()}</footer>`,
    });

  it('finds a one-word difference in an HTML page whose nonce and timestamp vary, at 40 replies per class', () => {
    for (let run = 0; run < 20; run++) {
      const b = channel(compareContent(Array.from({ length: 40 }, (_, i) => page('your', i)), Array.from({ length: 40 }, (_, i) => page('the', i))), 'body');
      expect(b.p).toBeLessThan(1e-10);
      expect(b.keys[0]!.diff.join('\n')).toMatch(/\[-your-\]\{\+the\+\}/);
    }
  });

  it('finds nothing in the same pages when both classes get the same word', () => {
    const b = channel(compareContent(Array.from({ length: 40 }, (_, i) => page('your', i)), Array.from({ length: 40 }, (_, i) => page('your', i))), 'body');
    expect(b.p).toBe(1);
  });
});

describe('features', () => {
  it('numbers repeated headers and splits cookies into value and attributes', () => {
    const f = features({ status: 302, headers: [['set-cookie', 'sid=abc; Path=/; HttpOnly'], ['vary', 'a'], ['vary', 'b']], body: 'x' });
    expect(f).toEqual(
      expect.arrayContaining([
        { channel: 'headers', key: 'set-cookie sid', value: 'abc' },
        { channel: 'headers', key: 'set-cookie sid attributes', value: 'Path=/; HttpOnly' },
        { channel: 'headers', key: 'header vary #2', value: 'b' },
        { channel: 'body', key: 'body text', value: 'x' },
      ]),
    );
  });
});

describe('minimal diff', () => {
  it('shows only the changed words with context', () => {
    const lines = renderDiff(diffTokens(tokenize('We sent a link to your inbox today.'), tokenize('We sent a link to the inbox today.')), 2);
    expect(lines).toEqual(['…to [-your-]{+the+} inbox…']);
  });
  it('round-trips tokens and words', () => {
    expect(tokenize('a-b  c!').join('')).toBe('a-b  c!');
    const html = '<p class="x">Sent, at 2026-11-30T20:15:41.123Z</p><input value="aB3-x_Yz">';
    expect(words(html).join('')).toBe(html);
    expect(words(html)).toEqual(expect.arrayContaining(['2026-11-30T20:15:41.123Z', 'aB3-x_Yz', 'Sent']));
  });
});

describe('identifiers and templates', () => {
  it('unknown identifiers keep the domain, the length and the character classes', () => {
    const id = unknownLike('Alice.99@example.com', new SeededRandom(1));
    expect(id).toMatch(/^[A-Z][a-z]{4}\.[0-9]{2}@example\.com$/);
    expect(freshUnknown('ab@x.io', new Set(['ab@x.io']), new SeededRandom(2))).not.toBe('ab@x.io');
  });
  it('escapes the identifier for where it lands', () => {
    expect(renderBody({ kind: 'json', template: '{"email":"{{id}}"}' }, { id: 'a"b@x' }).text).toBe('{"email":"a\\"b@x"}');
    expect(renderBody({ kind: 'form', template: 'email={{id}}' }, { id: 'a&b=c@x' }).text).toBe('email=a%26b%3Dc%40x');
  });
});

describe('ECDF plot', () => {
  it('draws one polyline per class, self-contained', () => {
    const svg = ecdfSvg([1, 2, 3, 4], [2, 3, 4, 5]);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).not.toMatch(/href|<script/);
  });
});
