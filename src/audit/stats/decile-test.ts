import type { Random } from '../../kernel/random.js';
import { normQuantile, twoSidedP } from './normal.js';
import { TIME_QUANTILES, quantileSorted, sortedCopy } from './quantile.js';

/** One compared quantile: both classes' values, their difference and its bootstrap standard error. */
export interface QuantileComparison {
  p: number;
  x: number;
  y: number;
  /** y − x: positive when the y class is slower at this quantile. */
  diff: number;
  se: number;
  pValue: number;
}

export interface DecileTestResult {
  /** Family-wise p-value over all compared quantiles (Bonferroni). */
  p: number;
  rows: QuantileComparison[];
  /** Smallest pure shift (same units as the data) this test detects with `power` at level `alpha`. */
  mdd: number;
}

export interface DecileTestOptions {
  /** The level the minimum detectable difference is stated at. */
  alpha: number;
  power?: number;
  resamples?: number;
  random: Random;
  ps?: readonly number[];
}

/**
 * A bootstrap test over deciles in the style of RTLF (Dunsche et al., USENIX
 * Security 2024): each class is resampled to learn how much its own quantiles
 * wobble, and a quantile differs between classes only if the gap exceeds that
 * wobble. RTLF reads the threshold off the bootstrap distribution directly;
 * audits run at α around 1e-6 after Bonferroni and sequential looks, far beyond
 * what a few hundred resamples can resolve, so this takes the bootstrap
 * standard error and the normal tail instead (sample quantiles are
 * asymptotically normal). Quantiles are combined with Bonferroni, which bounds
 * the family-wise false-positive rate whatever their correlation.
 */
export function decileTest(x: ArrayLike<number>, y: ArrayLike<number>, opts: DecileTestOptions): DecileTestResult {
  const ps = opts.ps ?? TIME_QUANTILES;
  const resamples = opts.resamples ?? 200;
  const sx = sortedCopy(x);
  const sy = sortedCopy(y);
  const seX = bootstrapSe(sx, ps, resamples, opts.random);
  const seY = bootstrapSe(sy, ps, resamples, opts.random);
  const rows: QuantileComparison[] = ps.map((p, i) => {
    const qx = quantileSorted(sx, p);
    const qy = quantileSorted(sy, p);
    const diff = qy - qx;
    const se = Math.hypot(seX[i] ?? 0, seY[i] ?? 0);
    const pValue = se > 0 ? twoSidedP(diff / se) : diff === 0 ? 1 : 0;
    return { p, x: qx, y: qy, diff, se, pValue };
  });
  const m = ps.length;
  const minP = Math.min(...rows.map((r) => r.pValue));
  const zCrit = normQuantile(1 - opts.alpha / (2 * m));
  const zPower = normQuantile(opts.power ?? 0.95);
  const positiveSe = rows.map((r) => r.se).filter((s) => s > 0);
  const mdd = positiveSe.length > 0 ? (zCrit + zPower) * Math.min(...positiveSe) : 0;
  return { p: Math.min(1, m * minP), rows, mdd };
}

/** Bootstrap standard error of each quantile of an ascending sample. */
export function bootstrapSe(sorted: Float64Array, ps: readonly number[], resamples: number, random: Random): number[] {
  const n = sorted.length;
  const sums = new Float64Array(ps.length);
  const sumSq = new Float64Array(ps.length);
  if (n < 2) return ps.map(() => 0);
  const idx = new Uint32Array(n);
  const draw = new Float64Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) idx[i] = random.int(n);
    // The source is sorted, so sorting the drawn indices sorts the resample.
    idx.sort();
    for (let i = 0; i < n; i++) draw[i] = sorted[idx[i]!]!;
    for (let k = 0; k < ps.length; k++) {
      const q = quantileSorted(draw, ps[k]!);
      sums[k]! += q;
      sumSq[k]! += q * q;
    }
  }
  return ps.map((_, k) => {
    const mean = sums[k]! / resamples;
    return Math.sqrt(Math.max(0, sumSq[k]! / resamples - mean * mean) * (resamples / (resamples - 1)));
  });
}
