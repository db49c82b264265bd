/**
 * Exact tests on counts: Fisher's for "does this reply value occur more often in
 * one class", and the binomial for "does one class answer first more often"
 * (the HTTP/2 order test). Both two-sided by summing the probabilities of every
 * outcome at most as likely as the observed one.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; about 15 significant digits). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const xx = x - 1;
  let a = c[0]!;
  const t = xx + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}

export function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * Fisher's exact test on the 2×2 table [[a, b], [c, d]] (rows: classes;
 * columns: has the value, has not). Two-sided.
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const row1 = a + b;
  const col1 = a + c;
  const n = a + b + c + d;
  const logDen = logChoose(n, col1);
  const prob = (k: number): number => Math.exp(logChoose(row1, k) + logChoose(n - row1, col1 - k) - logDen);
  const observed = prob(a);
  const lo = Math.max(0, col1 - (n - row1));
  const hi = Math.min(row1, col1);
  let p = 0;
  for (let k = lo; k <= hi; k++) {
    const pk = prob(k);
    // Relative slack so that tables equally likely to the observed one count despite rounding.
    if (pk <= observed * (1 + 1e-7)) p += pk;
  }
  return Math.min(1, p);
}

/** Two-sided exact binomial test of k successes in n trials against probability 1/2. */
export function binomialTwoSided(k: number, n: number): number {
  if (n === 0) return 1;
  const logHalf = n * Math.log(0.5);
  const prob = (i: number): number => Math.exp(logChoose(n, i) + logHalf);
  const observed = prob(k);
  let p = 0;
  for (let i = 0; i <= n; i++) {
    const pi = prob(i);
    if (pi <= observed * (1 + 1e-7)) p += pi;
  }
  return Math.min(1, p);
}
