import { describe, expect, it } from 'vitest';
import { resolveReturnTo } from '../../../src/core/return-to.js';

const policy = { origin: 'https://id.example.test', origins: ['https://app.example.test', 'http://localhost:3000'] };

describe('return_to (core/return-to.ts)', () => {
  it('accepts URLs on an allowed origin and paths on hush\'s own origin, re-serialized', () => {
    expect(resolveReturnTo('https://app.example.test/dashboard?tab=1#top', policy)).toBe('https://app.example.test/dashboard?tab=1#top');
    expect(resolveReturnTo('https://app.example.test', policy)).toBe('https://app.example.test/');
    expect(resolveReturnTo('https://app.example.test?x=1', policy)).toBe('https://app.example.test/?x=1');
    expect(resolveReturnTo('http://localhost:3000/a', policy)).toBe('http://localhost:3000/a');
    expect(resolveReturnTo('https://id.example.test/account', policy)).toBe('https://id.example.test/account');
    expect(resolveReturnTo('/account', policy)).toBe('https://id.example.test/account');
    // Encoded slashes stay a path on the allowed origin.
    expect(resolveReturnTo('/%2f%2fevil.test', policy)).toBe('https://id.example.test/%2f%2fevil.test');
    expect(resolveReturnTo('https://app.example.test/%2F%2Fevil.test', policy)).toBe('https://app.example.test/%2F%2Fevil.test');
  });

  const refused = [
    // scheme-relative and its look-alikes
    '//evil.test', '//evil.test/path', '///evil.test', '////evil.test', '/\\evil.test', '\\\\evil.test', '\\/evil.test', '/\\/evil.test',
    // scheme without slashes, odd schemes
    'https:evil.test', 'https:/evil.test', 'http:evil.test', 'https:app.example.test', 'javascript:alert(1)', 'JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'ftp://app.example.test/',
    // other hosts, and hosts that merely start like an allowed one
    'https://evil.test/', 'https://app.example.test.evil.test/', 'https://app.example.testevil.test', 'https://evil.test/https://app.example.test/',
    'https://app.example.test:8443/', 'https://app.example.test:443/', 'http://app.example.test/',
    // user info
    'https://app.example.test@evil.test/', 'https://user:pw@app.example.test/', 'https://app.example.test%40evil.test/', 'https://app.example.test%2f@evil.test/',
    'https://app.example.test\\@evil.test/', 'https://evil.test#@app.example.test/', 'https://evil.test?@app.example.test/',
    // mixed case and spelling variants of an allowed origin
    'HTTPS://app.example.test/', 'https://APP.example.test/', 'hTtPs://app.example.test/', 'https://app.example.test./',
    // encoded separators, whitespace and control characters a browser would strip or read
    '/%2f%2fevil.test'.replace('/', '%2f'), '%2F%2Fevil.test', '/\t/evil.test', '/\n/evil.test', '\t//evil.test', ' //evil.test', '//evil.test ',
    'https://app.example.test/\u0000', 'https://app.exam\u0000ple.test/', '/\u00a0/evil.test', '/\u3002evil.test', 'https://app。example.test/',
    // not a URL or a path
    'evil.test', 'app.example.test/dashboard', '', '.', '#x', '?x=1',
    // too long
    `/${'a'.repeat(2048)}`,
  ];
  it.each(refused)('refuses %j', (raw) => {
    expect(resolveReturnTo(raw, policy)).toBeNull();
  });

  it('refuses what is not a string', () => {
    for (const raw of [undefined, null, 1, ['https://app.example.test/'], { href: 'https://app.example.test/' }]) expect(resolveReturnTo(raw, policy)).toBeNull();
  });

  it('allows nothing but hush\'s own origin when HUSH_RETURN_TO_ORIGINS is empty', () => {
    expect(resolveReturnTo('https://app.example.test/', { origin: policy.origin, origins: [] })).toBeNull();
    expect(resolveReturnTo('/account', { origin: policy.origin, origins: [] })).toBe('https://id.example.test/account');
  });
});
