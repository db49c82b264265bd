/**
 * Quantiles of sorted samples (Hyndman-Fan type 7, R's and NumPy's default) and
 * the probabilities the time test compares.
 */

/**
 * The nine deciles RTLF compares, plus the 95th percentile: a leak that only
 * touches the slowest tenth of requests sits exactly on the 90th percentile and
 * would otherwise be invisible to a decile test.
 */
export const TIME_QUANTILES: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** The p-quantile of an ascending array (type 7: linear between order statistics). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (h - lo) * (b - a);
}

export function quantiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  const s = sortedCopy(values);
  return ps.map((p) => quantileSorted(s, p));
}

export function median(values: ArrayLike<number>): number {
  return quantileSorted(sortedCopy(values), 0.5);
}
