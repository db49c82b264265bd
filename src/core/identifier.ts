import { domainToASCII } from 'node:url';
import { validationError } from '../kernel/errors.js';

/** Longest address RFC 5321 lets through (path limit 256 less the angle brackets), in octets of UTF-8. */
const MAX_LENGTH = 254;
/** Past this many UTF-16 units the input is refused before NFKC, whose output can be 18 times its input. */
const MAX_RAW_LENGTH = 1024;
/**
 * Control characters (NUL among them) and lone surrogates: no address has them, and PostgreSQL refuses NUL in
 * text. Checked on the input: NFKC of a well-formed string is well formed and maps nothing to a control character.
 */
const FORBIDDEN = /[\p{Cc}\p{Cs}]/u;
// Deliberately plain: one @, a local part without spaces or angle brackets, a dotted domain.
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@(?=.{1,253}$)[^\s@<>()[\]\\,;:"_]+(\.[^\s@<>()[\]\\,;:"_.]+)+$/u;

/**
 * Normalizes what a person typed to name an account: NFKC, trim, lower-case,
 * in one place, before any lookup (design.md §2). Anything that is not an email
 * is a validation error that names the field. The decision depends only on the
 * input's characters, and it comes before every guard and every query: so its
 * reply is the same under every verdict, and nothing unchecked reaches the
 * database (a NUL byte there would be a 500 on one path and not the other).
 */
export function normalizeIdentifier(raw: unknown, field = 'email'): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw validationError(field, 'is required');
  if (raw.length > MAX_RAW_LENGTH) throw validationError(field, `is longer than ${MAX_LENGTH} characters`);
  if (FORBIDDEN.test(raw)) throw validationError(field, 'contains a control character or a broken character');
  const value = raw.normalize('NFKC').trim().toLowerCase();
  if (Buffer.byteLength(value, 'utf8') > MAX_LENGTH) throw validationError(field, `is longer than ${MAX_LENGTH} characters`);
  if (!EMAIL.test(value) || value.includes('..') || value.startsWith('.') || value.split('@')[0]?.endsWith('.')) {
    throw validationError(field, 'is not an email address');
  }
  return value;
}

/** Providers whose mailboxes ignore dots in the local part, and the domain each is known by. */
const DOTLESS: Readonly<Record<string, string>> = { 'gmail.com': 'gmail.com', 'googlemail.com': 'gmail.com' };

/**
 * The mailbox a normalized identifier reaches, as limits and detection count
 * it (design.md §2): every spelling of one inbox gets one budget. The domain
 * in its ASCII (punycode) form, so an IDN written in Unicode or as `xn--` is
 * one mailbox; a plus-tag (`+anything`) dropped, for every provider (most
 * deliver it to the same inbox, and counting two inboxes as one only shares
 * a budget); dots dropped for Gmail, which ignores them, and googlemail.com
 * folded into gmail.com. Mail never goes to this key: it goes to the stored
 * address, or the address as typed.
 */
export function mailboxKey(identifier: string): string {
  const at = identifier.lastIndexOf('@');
  if (at < 1) return identifier;
  const domainPart = identifier.slice(at + 1);
  // Most domains are ASCII already: no IDN conversion per event for them (detection calls this for every one).
  const ascii = /^[\x21-\x7e]+$/.test(domainPart) && !domainPart.includes('xn--') ? domainPart : domainToASCII(domainPart) || domainPart;
  const domain = DOTLESS[ascii] ?? ascii;
  let local = identifier.slice(0, at);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (DOTLESS[ascii] !== undefined) local = local.replaceAll('.', '');
  return `${local}@${domain}`;
}

/** `jane@example.com` → `j***@example.com`: enough for a person to recognise their own account. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}
