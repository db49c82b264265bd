import { validationError } from '../kernel/errors.js';

/** Longest address RFC 5321 lets through (path limit 256 less the angle brackets). */
const MAX_LENGTH = 254;
// Deliberately plain: one @, a local part without spaces or angle brackets, a dotted domain.
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@(?=.{1,253}$)[^\s@<>()[\]\\,;:"_]+(\.[^\s@<>()[\]\\,;:"_.]+)+$/u;

/**
 * Normalizes what a person typed to name an account: NFKC, trim, lower-case,
 * in one place, before any lookup (design.md §2). Anything that is not an email
 * is a validation error that names the field; the decision depends only on the input.
 */
export function normalizeIdentifier(raw: unknown, field = 'email'): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw validationError(field, 'is required');
  const value = raw.normalize('NFKC').trim().toLowerCase();
  if (value.length > MAX_LENGTH) throw validationError(field, `is longer than ${MAX_LENGTH} characters`);
  if (!EMAIL.test(value) || value.includes('..') || value.startsWith('.') || value.split('@')[0]?.endsWith('.')) {
    throw validationError(field, 'is not an email address');
  }
  return value;
}

/** `jane@example.com` → `j***@example.com`: enough for a person to recognise their own account. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}
