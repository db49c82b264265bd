import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maskEmail, normalizeIdentifier } from '../../../src/core/identifier.js';
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

describe('maskEmail', () => {
  it('keeps the first letter and the domain', () => {
    expect(maskEmail('jane@example.com')).toBe('j***@example.com');
    expect(maskEmail('x')).toBe('***');
  });
});
