import type { Channel, Reply } from './types.js';

/** One comparable feature of a reply: which channel it belongs to, a key, a value. */
export interface Feature {
  channel: Exclude<Channel, 'time'>;
  key: string;
  value: string;
}

/**
 * Breaks a reply into features, so that "what differs" can be stated per
 * feature instead of "the bytes differ". Everything an attacker can see is a
 * feature: the status, the order of header names, each header value (repeated
 * headers numbered), each cookie's value and attributes, each JSON value by
 * path and each object's key order and its bytes, or the body text as
 * tokens; for an observer read before the run, what changed.
 */
export function features(reply: Reply): Feature[] {
  const out = replyFeatures(reply);
  if (reply.before === undefined) return out;
  // An observer read before and after a run: what changed is a feature too (a
  // counter that moves only for existing accounts), a number by how much.
  const before = new Map(replyFeatures(reply.before).map((f) => [f.key, f.value]));
  for (const f of [...out]) {
    if (TEXT_KEYS.has(f.key)) continue;
    const was = before.get(f.key);
    const a = Number(f.value);
    const b = Number(was);
    const change = was === undefined ? 'new' : was === f.value ? 'same' : f.value !== '' && was !== '' && Number.isFinite(a) && Number.isFinite(b) ? `changed by ${a - b}` : 'changed';
    out.push({ channel: f.channel, key: `${f.key} since before the run`, value: change });
  }
  return out;
}

/** Features compared as text (masked word by word), not value by value. */
const TEXT_KEYS = new Set(['body text', 'body bytes']);

function replyFeatures(reply: Reply): Feature[] {
  const out: Feature[] = [{ channel: 'status', key: 'status', value: String(reply.status) }];
  out.push({ channel: 'headers', key: 'header order', value: reply.headers.map(([k]) => k).join(', ') });
  // Header names as the server wrote them: two code paths can spell one name differently.
  if (reply.rawNames !== undefined) out.push({ channel: 'headers', key: 'header names as sent', value: reply.rawNames.join(', ') });
  const seen = new Map<string, number>();
  for (const [name, value] of reply.headers) {
    if (name === 'set-cookie') {
      const parts = value.split(';').map((s) => s.trim());
      const pair = parts.shift() ?? '';
      const eq = pair.indexOf('=');
      const cookie = eq >= 0 ? pair.slice(0, eq) : pair;
      out.push({ channel: 'headers', key: `set-cookie ${cookie}`, value: eq >= 0 ? pair.slice(eq + 1) : '' });
      out.push({ channel: 'headers', key: `set-cookie ${cookie} attributes`, value: parts.join('; ') });
      continue;
    }
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    out.push({ channel: 'headers', key: n === 1 ? `header ${name}` : `header ${name} #${n}`, value });
  }
  let json: unknown;
  let isJson = false;
  try {
    json = JSON.parse(reply.body);
    isJson = typeof json === 'object' && json !== null;
  } catch {
    isJson = false;
  }
  if (isJson) {
    jsonFeatures(json, '$', out);
    // An attacker compares bytes: a space or an escape (`\u00e9` for `é`) that
    // one code path writes and the other does not is a difference even where
    // both parse to the same JSON.
    out.push({ channel: 'body', key: 'body bytes', value: reply.body });
  } else out.push({ channel: 'body', key: 'body text', value: reply.body });
  return out;
}

function jsonFeatures(v: unknown, path: string, out: Feature[]): void {
  if (Array.isArray(v)) {
    out.push({ channel: 'body', key: `${path} length`, value: String(v.length) });
    v.forEach((item, i) => jsonFeatures(item, `${path}[${i}]`, out));
    return;
  }
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v);
    // JSON key order is observable (and differs when two code paths build the object differently).
    out.push({ channel: 'body', key: `${path} key order`, value: keys.join(', ') });
    for (const k of keys) jsonFeatures((v as Record<string, unknown>)[k], /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, out);
    return;
  }
  out.push({ channel: 'body', key: path, value: JSON.stringify(v) });
}

/** Splits text into word and non-word tokens (the separators are kept, so the tokens join back to the text). */
export function tokenize(text: string): string[] {
  return text.match(/[\p{L}\p{N}_]+|[^\p{L}\p{N}_]+/gu) ?? [];
}

/**
 * Splits text into words for masking: a word runs between white space, quotes
 * and markup, so a nonce (`aB3-x_Yz`) or a timestamp (`2026-11-30T20:15:41.123Z`)
 * is one word that is masked whole, not a few stable pieces (`-`, `2026`) that
 * would split one class's replies into many variants. The separators are kept,
 * so the words join back to the text.
 */
export function words(text: string): string[] {
  return text.match(/[^\s<>"'=&;,(){}[\]]+|[\s<>"'=&;,(){}[\]]+/gu) ?? [];
}

/** A value's shape: length and character classes, used when the value itself is a nonce. */
export function shapeOf(value: string): string {
  const classes = [/[a-z]/.test(value) ? 'a-z' : '', /[A-Z]/.test(value) ? 'A-Z' : '', /[0-9]/.test(value) ? '0-9' : '', /[^A-Za-z0-9]/.test(value) ? 'symbols' : '']
    .filter((s) => s !== '')
    .join(' ');
  return `<varies: ${value.length} chars${classes === '' ? '' : `, ${classes}`}>`;
}
