import { fisherExact } from './stats/exact.js';
import { diffTokens, renderDiff } from './diff.js';
import { features, shapeOf, tokenize, words } from './signature.js';
import type { Feature } from './signature.js';
import type { Channel, Reply } from './types.js';

export type ContentChannel = Exclude<Channel, 'time'>;

/** How one feature's values split between the classes. */
export interface KeyComparison {
  key: string;
  /** Bonferroni over this key's values. */
  p: number;
  known: [string, number][];
  unknown: [string, number][];
  diff: string[];
}

export interface ChannelComparison {
  channel: ContentChannel;
  /** Bonferroni over the channel's keys; 1 when nothing differs. */
  p: number;
  /** Keys sorted by p, most different first. */
  keys: KeyComparison[];
  /** Keys whose value is a nonce in at least one class (compared by shape only). */
  masked: string[];
  /** How many keys p was corrected over (Bonferroni): what the smallest detectable difference is computed with. */
  tests: number;
}

const ABSENT = '<absent>';
/** A body word kept in at least this share of a class's replies is stable; the rest are masked. */
const STABLE_SHARE = 0.75;

/**
 * Compares the replies of the two classes feature by feature. Variation inside
 * a class is learned first, not listed: a value that is different in most
 * same-class replies is a nonce (request id, CSRF token) and is compared only
 * by its shape; a body word that appears in fewer than three quarters of a
 * class's replies is masked, so each class keeps one dominant body text.
 * What is left is compared with Fisher's exact test per value, so a reply
 * that is *sometimes* different for one class (a rate limit that only
 * existing accounts hit) is a finding too, while values that merely tick (the
 * Date header) split the same way in both classes and are not.
 */
export function compareContent(known: readonly Reply[], unknown: readonly Reply[]): ChannelComparison[] {
  const kf = known.map(features);
  const uf = unknown.map(features);
  maskBodyText(kf, uf);
  const keys = new Map<string, ContentChannel>();
  for (const list of [...kf, ...uf]) for (const f of list) keys.set(f.key, f.channel);
  const byChannel = new Map<ContentChannel, { keys: KeyComparison[]; masked: string[] }>();
  for (const ch of ['status', 'headers', 'body'] as const) byChannel.set(ch, { keys: [], masked: [] });
  for (const [key, channel] of keys) {
    let kv = valuesOf(kf, key);
    let uv = valuesOf(uf, key);
    if (isNonce(kv) || isNonce(uv)) {
      kv = kv.map((v) => (v === ABSENT ? v : shapeOf(v)));
      uv = uv.map((v) => (v === ABSENT ? v : shapeOf(v)));
      byChannel.get(channel)!.masked.push(key);
    }
    const cmp = compareKey(key, kv, uv);
    if (cmp !== undefined) byChannel.get(channel)!.keys.push(cmp);
  }
  return [...byChannel].map(([channel, { keys: list, masked }]) => {
    list.sort((a, b) => a.p - b.p);
    const p = list.length === 0 ? 1 : Math.min(1, list[0]!.p * keys.size);
    return { channel, p, keys: list, masked, tests: Math.max(1, keys.size) };
  });
}

function valuesOf(replies: readonly Feature[][], key: string): string[] {
  return replies.map((fs) => fs.find((f) => f.key === key)?.value ?? ABSENT);
}

/** A nonce: most replies of the class carry a value no other reply of the class has. */
function isNonce(values: readonly string[]): boolean {
  const present = values.filter((v) => v !== ABSENT);
  if (present.length < 4) return false;
  return new Set(present).size > present.length * 0.5;
}

function compareKey(key: string, kv: readonly string[], uv: readonly string[]): KeyComparison | undefined {
  const kc = counts(kv);
  const uc = counts(uv);
  const values = new Set([...kc.keys(), ...uc.keys()]);
  if (values.size <= 1) return undefined;
  let best = 1;
  for (const v of values) {
    const a = kc.get(v) ?? 0;
    const c = uc.get(v) ?? 0;
    best = Math.min(best, fisherExact(a, kv.length - a, c, uv.length - c));
  }
  const known = [...kc].sort((a, b) => b[1] - a[1]);
  const unknown = [...uc].sort((a, b) => b[1] - a[1]);
  const diff = renderDiff(diffTokens(tokenize(known[0]![0]), tokenize(unknown[0]![0])));
  return { key, p: Math.min(1, best * values.size), known, unknown, diff };
}

function counts(values: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/** Features compared as text: their words are masked where they are not stable in either class. */
const TEXT_KEYS = ['body text', 'body bytes'];

/** Replaces text tokens that are not stable in either class by `<*>` (collapsing runs), feature by feature. */
function maskBodyText(kf: Feature[][], uf: Feature[][]): void {
  for (const key of TEXT_KEYS) maskText(kf, uf, key);
}

function maskText(kf: Feature[][], uf: Feature[][], key: string): void {
  const stable = new Set<string>();
  for (const group of [kf, uf]) {
    const df = new Map<string, number>();
    for (const fs of group) {
      const text = fs.find((f) => f.key === key);
      if (text === undefined) continue;
      for (const t of new Set(words(text.value))) df.set(t, (df.get(t) ?? 0) + 1);
    }
    for (const [t, n] of df) if (n >= group.length * STABLE_SHARE) stable.add(t);
  }
  for (const fs of [...kf, ...uf]) {
    const text = fs.find((f) => f.key === key);
    if (text === undefined) continue;
    text.value = words(text.value)
      .map((t) => (stable.has(t) ? t : '<*>'))
      .join('')
      .replace(/(<\*>)+/g, '<*>');
  }
}
