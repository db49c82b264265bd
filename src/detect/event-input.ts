import { normalizeIp } from '../guard/address.js';
import type { AccountEvent } from '../core/event.js';

/** Largest batch `POST /v1/events` and the tracker send. */
export const MAX_BATCH = 1000;
/** Events may be late (a tracker's retries), not from far in the future or the past. */
const MAX_SKEW_MS = 5 * 60_000;
const MAX_AGE_MS = 7 * 24 * 3_600_000;

/** Attribute names that smell of a secret: events never carry passwords, tokens or sessions (design.md §2). */
const SECRET_NAME = /pass(word|phrase)?|token|secret|cookie|authorization|session|api[-_]?key|totp|otp|credential/i;
const NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+){1,5}$/;
const KNOWN = new Set(['name', 'at', 'usr', 'usr.login', 'usr.id', 'usr.exists', 'network.client.ip', 'http.useragent', 'attrs']);

export type EventInputResult = { ok: true; event: AccountEvent } | { ok: false; reason: string };

/**
 * Validates one event as another app sends it (Datadog's flat field names;
 * `usr` may also be an object `{ login, id, exists }`) and returns it in
 * hush's shape. The reason of a refusal names the field and never echoes its
 * value. `usr.login` is normalized as identifiers are (NFKC, trim, lower-case)
 * so that "Bob@X" and "bob@x" are one account to the rules.
 */
/** NUL and lone surrogates: PostgreSQL refuses the one in text and JSON, and neither is in any real value. */
const unstorable = (v: string): boolean => v.includes('\u0000') || /\p{Cs}/u.test(v);
/** Control characters too, for the fields that name a person or a browser. */
const CONTROL = /[\p{Cc}\p{Cs}]/u;

export function parseEventInput(raw: unknown, now: number, source: string): EventInputResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'is not an object' };
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) return { ok: false, reason: `${key}: is not an event field` };
  if (typeof o.name !== 'string' || !NAME.test(o.name)) return { ok: false, reason: 'name: is not an event name such as users.login.failure' };
  let at = now;
  if (o.at !== undefined) {
    const t = typeof o.at === 'number' ? o.at : typeof o.at === 'string' ? Date.parse(o.at) : Number.NaN;
    if (!Number.isFinite(t)) return { ok: false, reason: 'at: is not a time (ISO 8601 or milliseconds since the epoch)' };
    if (t > now + MAX_SKEW_MS) return { ok: false, reason: 'at: is more than 5 minutes in the future' };
    if (t < now - MAX_AGE_MS) return { ok: false, reason: 'at: is more than 7 days old' };
    at = Math.round(t);
  }
  const event: AccountEvent = { name: o.name, at, source };
  let usr: Record<string, unknown> = { login: o['usr.login'], id: o['usr.id'], exists: o['usr.exists'] };
  if (o.usr !== undefined) {
    if (o.usr === null || typeof o.usr !== 'object' || Array.isArray(o.usr)) return { ok: false, reason: 'usr: is not an object' };
    usr = { ...(o.usr as Record<string, unknown>), ...Object.fromEntries(Object.entries(usr).filter(([, v]) => v !== undefined)) };
    for (const key of Object.keys(o.usr)) if (!['login', 'id', 'exists'].includes(key)) return { ok: false, reason: `usr.${key}: is not an event field` };
  }
  if (usr.login !== undefined) {
    if (typeof usr.login !== 'string' || usr.login.trim() === '' || usr.login.length > 320) return { ok: false, reason: 'usr.login: is not a string of 1 to 320 characters' };
    if (CONTROL.test(usr.login)) return { ok: false, reason: 'usr.login: contains a control character or a broken character' };
    event['usr.login'] = usr.login.normalize('NFKC').trim().toLowerCase();
  }
  if (usr.id !== undefined) {
    if (typeof usr.id !== 'string' && typeof usr.id !== 'number') return { ok: false, reason: 'usr.id: is not a string or number' };
    const id = String(usr.id);
    if (id === '' || id.length > 128) return { ok: false, reason: 'usr.id: is not 1 to 128 characters' };
    if (CONTROL.test(id)) return { ok: false, reason: 'usr.id: contains a control character or a broken character' };
    event['usr.id'] = id;
  }
  if (usr.exists !== undefined) {
    if (typeof usr.exists !== 'boolean') return { ok: false, reason: 'usr.exists: is not true or false' };
    event['usr.exists'] = usr.exists;
  }
  const ip = o['network.client.ip'];
  if (ip !== undefined) {
    const normalized = typeof ip === 'string' ? normalizeIp(ip) : null;
    if (normalized === null) return { ok: false, reason: 'network.client.ip: is not an IPv4 or IPv6 address' };
    event['network.client.ip'] = normalized;
  }
  const ua = o['http.useragent'];
  if (ua !== undefined) {
    if (typeof ua !== 'string' || ua.length > 1024) return { ok: false, reason: 'http.useragent: is not a string of at most 1024 characters' };
    if (CONTROL.test(ua)) return { ok: false, reason: 'http.useragent: contains a control character or a broken character' };
    event['http.useragent'] = ua;
  }
  if (o.attrs !== undefined) {
    const attrs = parseAttrs(o.attrs);
    if (typeof attrs === 'string') return { ok: false, reason: attrs };
    if (Object.keys(attrs).length > 0) event.attrs = attrs;
  }
  return { ok: true, event };
}

function parseAttrs(raw: unknown): Record<string, string | number | boolean> | string {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'attrs: is not an object';
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 20) return 'attrs: has more than 20 fields';
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(k)) return `attrs: a field name is not 1 to 64 letters, digits, _ . -`;
    if (SECRET_NAME.test(k)) return `attrs.${k}: looks like a secret; events never carry passwords, tokens or sessions`;
    if (typeof v === 'string') {
      if (v.length > 256) return `attrs.${k}: is longer than 256 characters`;
      if (unstorable(v)) return `attrs.${k}: contains a NUL or a broken character`;
    } else if (typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) {
      return `attrs.${k}: is not a string, number or boolean`;
    }
    out[k] = v;
  }
  return out;
}
