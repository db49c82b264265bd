import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mailboxKey, maskEmail, normalizeIdentifier } from '../../../src/core/identifier.js';
import { HushError } from '../../../src/kernel/errors.js';

describe('normalizeIdentifier', () => {
  it('applies NFKC, trims and lower-cases', () => {
    expect(normalizeIdentifier('  Ann@Example.COM ')).toBe('ann@example.com');
    // Fullwidth letters fold to ASCII under NFKC.
    expect(normalizeIdentifier('ａｎｎ@example.com')).toBe('ann@example.com');
  });

  it.each(['', '   ', 'ann', 'ann@', '@example.com', 'ann@example', 'a b@example.com', 'ann@@example.com', 'ann..x@example.com', '.ann@example.com', 'ann.@example.com', '<a>@example.com'])(
    'refuses %j as a validation error naming the field',
    (raw) => {
      try {
        normalizeIdentifier(raw, 'email');
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(HushError);
        expect((err as HushError).code).toBe('HUSH_VALIDATION');
        expect((err as HushError).details[0]?.field).toBe('email');
      }
    },
  );

  it.each([
    ['a NUL byte', 'a\u0000b@example.com'],
    ['a control character', 'ann\u0007@example.com'],
    ['a newline inside', 'ann@exa\nmple.com'],
    ['DEL', 'ann\u007f@example.com'],
    ['a lone high surrogate', 'ann\ud800@example.com'],
    ['a lone low surrogate', 'ann@exam\udc00ple.com'],
    ['over 254 octets of UTF-8 though under 254 characters', `${'é'.repeat(60)}@${'ü'.repeat(100)}.com`],
    ['a huge input (refused before NFKC)', `${'\ufdfa'.repeat(5000)}@example.com`],
  ])('refuses %s from its characters alone', (_what, raw) => {
    try {
      normalizeIdentifier(raw, 'email');
      expect.unreachable();
    } catch (err) {
      expect((err as HushError).code).toBe('HUSH_VALIDATION');
      expect((err as HushError).details[0]?.field).toBe('email');
    }
  });

  it('keeps an international address that is well formed', () => {
    expect(normalizeIdentifier('Jürgen@Bücher.example')).toBe('jürgen@bücher.example');
  });

  it('refuses non-strings and overlong addresses', () => {
    expect(() => normalizeIdentifier(42)).toThrow(HushError);
    expect(() => normalizeIdentifier(undefined)).toThrow(HushError);
    expect(() => normalizeIdentifier(`${'a'.repeat(64)}@${'b'.repeat(200)}.com`)).toThrow(HushError);
  });

  it('is idempotent and never throws anything but a validation error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.emailAddress()), (s) => {
        try {
          const once = normalizeIdentifier(s);
          expect(normalizeIdentifier(once)).toBe(once);
        } catch (err) {
          expect((err as HushError).code).toBe('HUSH_VALIDATION');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('normalizeIdentifier over any UTF-16', () => {
  it('returns only addresses without control characters or lone surrogates, or throws a validation error', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }), (local, domain) => {
        try {
          const value = normalizeIdentifier(`${local}@${domain}.example`);
          expect(value).not.toMatch(/[\p{Cc}\p{Cs}]/u);
          expect(Buffer.byteLength(value)).toBeLessThanOrEqual(254);
        } catch (err) {
          expect((err as HushError).code).toBe('HUSH_VALIDATION');
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('mailboxKey', () => {
  it.each([
    ['victim+news@gmail.com', 'victim@gmail.com'],
    ['v.ic.tim@gmail.com', 'victim@gmail.com'],
    ['v.ictim+a+b@googlemail.com', 'victim@gmail.com'],
    ['first.last+tag@example.com', 'first.last@example.com'],
    ['ann@bücher.example', 'ann@xn--bcher-kva.example'],
    ['ann+x@xn--bcher-kva.example', 'ann@xn--bcher-kva.example'],
    ['+only@example.com', '+only@example.com'],
  ])('%s → %s', (identifier, key) => {
    expect(mailboxKey(identifier)).toBe(key);
  });

  it('is idempotent on every normalized identifier', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (s) => {
        const key = mailboxKey(normalizeIdentifier(s));
        expect(mailboxKey(key)).toBe(key);
      }),
      { numRuns: 300 },
    );
  });
});

describe('maskEmail', () => {
  it('keeps the first letter and the domain', () => {
    expect(maskEmail('jane@example.com')).toBe('j***@example.com');
    expect(maskEmail('x')).toBe('***');
  });
});
