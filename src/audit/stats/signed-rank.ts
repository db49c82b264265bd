import { twoSidedP } from './normal.js';

export interface SignedRankResult {
  /** Sum of the ranks of the positive differences. */
  wPlus: number;
  /** Positive when the differences tend to be positive. */
  z: number;
  p: number;
  /** Pairs used (zero differences are dropped, as Wilcoxon did). */
  n: number;
}

/**
 * Wilcoxon signed-rank test on paired differences (normal approximation, tie
 * and continuity corrected, two-sided). The audit pairs each known request
 * with the unknown one sent next to it, so a slow spell of a shared machine
 * lands on both members of a pair and cancels in their difference; tlsfuzzer
 * and Morgan & Morgan found paired tests the most robust for remote timing.
 */
export function signedRank(diffs: readonly number[]): SignedRankResult {
  const d = diffs.filter((v) => v !== 0 && Number.isFinite(v));
  const n = d.length;
  if (n === 0) return { wPlus: 0, z: 0, p: 1, n: 0 };
  const order = d.map((v, i) => ({ a: Math.abs(v), pos: v > 0, i })).sort((x, y) => x.a - y.a);
  let wPlus = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && order[j + 1]!.a === order[i]!.a) j++;
    const rank = (i + j) / 2 + 1;
    const t = j - i + 1;
    if (t > 1) tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (order[k]!.pos) wPlus += rank;
    i = j + 1;
  }
  const mean = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  if (variance <= 0) return { wPlus, z: 0, p: 1, n };
  const diff = wPlus - mean;
  const z = (Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.5)) / Math.sqrt(variance);
  return { wPlus, z, p: twoSidedP(z), n };
}
