import { twoSidedP } from './normal.js';

/** The result of a two-sided Mann-Whitney U test of sample x against sample y. */
export interface MannWhitneyResult {
  /** U for x: the number of (x, y) pairs with x > y, ties counting one half. */
  u: number;
  /** Normal-approximation statistic, tie-corrected and continuity-corrected; positive when x tends to be larger. */
  z: number;
  /** Two-sided p-value: a difference in either direction counts. */
  p: number;
  /** P(X > Y) + P(X = Y)/2, the common-language effect size (0.5: no difference). */
  auc: number;
}

/**
 * Mann-Whitney U with the normal approximation. Ties get mid-ranks and the
 * variance is reduced by Σ(t³−t)/(N(N−1)) (the usual tie correction), which
 * matters for timing data rounded to a clock's resolution.
 */
export function mannWhitney(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, p: 1, auc: 0.5 };
  const all: { v: number; fromX: boolean }[] = [];
  for (const v of x) all.push({ v, fromX: true });
  for (const v of y) all.push({ v, fromX: false });
  all.sort((a, b) => a.v - b.v);
  const n = n1 + n2;
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const midRank = (i + j) / 2 + 1;
    const t = j - i + 1;
    if (t > 1) tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k]!.fromX) rankSumX += midRank;
    i = j + 1;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, p: 1, auc: u / (n1 * n2) };
  const diff = u - mean;
  // Continuity correction toward the mean, never past it.
  const corrected = Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.5);
  const z = corrected / Math.sqrt(variance);
  return { u, z, p: twoSidedP(z), auc: u / (n1 * n2) };
}
