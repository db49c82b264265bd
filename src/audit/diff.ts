/**
 * A minimal token diff (longest common subsequence), printed as the changed
 * spans with a little context, so a finding shows the words that differ and
 * not two whole pages.
 */

export type Edit = { op: 'same' | 'del' | 'add'; tokens: string[] };

const MAX_CELLS = 4_000_000;

export function diffTokens(a: readonly string[], b: readonly string[]): Edit[] {
  // Common prefix and suffix first: most replies differ in one small span.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const middle: Edit[] = (am.length + 1) * (bm.length + 1) > MAX_CELLS ? [{ op: 'del', tokens: am }, { op: 'add', tokens: bm }] : lcsEdits(am, bm);
  const edits: Edit[] = [];
  push(edits, 'same', a.slice(0, pre));
  for (const e of middle) push(edits, e.op, e.tokens);
  push(edits, 'same', a.slice(a.length - suf));
  return edits;
}

function push(edits: Edit[], op: Edit['op'], tokens: readonly string[]): void {
  if (tokens.length === 0) return;
  const last = edits[edits.length - 1];
  if (last !== undefined && last.op === op) last.tokens.push(...tokens);
  else edits.push({ op, tokens: [...tokens] });
}

function lcsEdits(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const w = m + 1;
  const table = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * w + j] = a[i] === b[j] ? table[(i + 1) * w + j + 1]! + 1 : Math.max(table[(i + 1) * w + j]!, table[i * w + j + 1]!);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      push(edits, 'same', [a[i]!]);
      i++;
      j++;
    } else if (i < n && (j >= m || table[(i + 1) * w + j]! >= table[i * w + j + 1]!)) {
      // Deletions before additions: a change reads as [-old-]{+new+}.
      push(edits, 'del', [a[i]!]);
      i++;
    } else {
      push(edits, 'add', [b[j]!]);
      j++;
    }
  }
  return edits;
}

/** Renders edits as one line per change: `…context [-known-]{+unknown+} context…`. */
export function renderDiff(edits: readonly Edit[], context: number = 4, maxLines: number = 8): string[] {
  const lines: string[] = [];
  for (let k = 0; k < edits.length && lines.length < maxLines; k++) {
    const e = edits[k]!;
    if (e.op === 'same') continue;
    const before = edits[k - 1]?.op === 'same' ? edits[k - 1]!.tokens.slice(-context) : [];
    let line = `${before.length > 0 ? '…' : ''}${before.join('')}`;
    while (k < edits.length && edits[k]!.op !== 'same') {
      const cur = edits[k]!;
      line += cur.op === 'del' ? `[-${clip(cur.tokens.join(''))}-]` : `{+${clip(cur.tokens.join(''))}+}`;
      k++;
    }
    const after = edits[k]?.op === 'same' ? edits[k]!.tokens.slice(0, context) : [];
    line += `${after.join('')}${after.length > 0 ? '…' : ''}`;
    lines.push(line.replace(/\s+/g, ' '));
    k--;
  }
  return lines;
}

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
