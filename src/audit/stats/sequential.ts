/**
 * Sequential sampling with a fixed set of looks. Stopping as soon as a test is
 * significant would inflate the false-positive rate (every look is another
 * chance); instead each look spends a share of α proportional to the
 * information it adds (linear alpha spending, t = n_k / n_max) and is tested at
 * that share alone. By the union bound the chance of any false alarm over all
 * looks stays at most α, whatever the correlation between looks.
 */

/** Sample sizes per class at which the tests look: n_max/8, /4, /2, n_max, none below `min`. */
export function lookSizes(maxPerClass: number, min: number = 40): number[] {
  const looks = new Set<number>();
  for (const f of [1 / 8, 1 / 4, 1 / 2]) {
    const n = Math.round(maxPerClass * f);
    if (n >= min) looks.add(n);
  }
  looks.add(maxPerClass);
  return [...looks].sort((a, b) => a - b);
}

/** The α each look is tested at: the increments of α·t over the looks (they sum to α). */
export function alphaPerLook(alpha: number, looks: readonly number[]): number[] {
  const last = looks[looks.length - 1] ?? 1;
  let spent = 0;
  return looks.map((n) => {
    const target = (alpha * n) / last;
    const share = target - spent;
    spent = target;
    return share;
  });
}
