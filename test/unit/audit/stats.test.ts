import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/kernel/random.js';
import { QUANTILE_TEST_MIN, analyze } from '../../../src/audit/analyze.js';
import type { Sample } from '../../../src/audit/types.js';
import { decileTest } from '../../../src/audit/stats/decile-test.js';
import { binomialTwoSided, fisherExact, logGamma } from '../../../src/audit/stats/exact.js';
import { mannWhitney } from '../../../src/audit/stats/mann-whitney.js';
import { signedRank } from '../../../src/audit/stats/signed-rank.js';
import { normQuantile, normSf, twoSidedP } from '../../../src/audit/stats/normal.js';
import { quantiles } from '../../../src/audit/stats/quantile.js';
import { alphaPerLook, lookSizes } from '../../../src/audit/stats/sequential.js';

// Reference values: scipy 1.17 (stats.norm, mannwhitneyu(method='asymptotic',
// use_continuity=True), fisher_exact, binomtest) and numpy.quantile (type 7).
describe('normal distribution', () => {
  it('keeps relative precision far in the tail', () => {
    expect(normSf(5)).toBeCloseTo(2.866515718791933e-7, 12);
    expect(normSf(8) / 6.22096057427174e-16).toBeCloseTo(1, 5);
    expect(twoSidedP(1.959963984540054)).toBeCloseTo(0.05, 6);
  });
  it('inverts', () => {
    expect(normQuantile(1e-6)).toBeCloseTo(-4.753424308822899, 6);
    expect(normQuantile(0.975)).toBeCloseTo(1.959963984540054, 7);
    expect(() => normQuantile(0)).toThrow(RangeError);
  });
});

describe('Mann-Whitney U', () => {
  it('matches the hand computation (U = 3, z = -2.5/√8)', () => {
    const r = mannWhitney([1, 3, 5], [2, 4, 6, 8]);
    expect(r.u).toBe(3);
    expect(r.z).toBeCloseTo(-2.5 / Math.sqrt(8), 10);
    expect(r.p).toBeCloseTo(0.376759117811582, 6);
  });
  it('applies the tie correction', () => {
    const r = mannWhitney([1, 2, 2, 3, 3, 5], [2, 3, 3, 4, 4, 6, 7]);
    expect(r.u).toBe(10);
    expect(r.p).toBeCloseTo(0.12554813972638837, 6);
  });
  it('is two-sided: swapping the samples flips z and keeps p', () => {
    const x = Array.from({ length: 20 }, (_, i) => i + 1);
    const y = x.map((v) => v + 15);
    const a = mannWhitney(x, y);
    const b = mannWhitney(y, x);
    expect(a.p).toBeCloseTo(4.202396589352272e-7, 10);
    expect(b.p).toBeCloseTo(a.p, 12);
    expect(a.z).toBeCloseTo(-b.z, 12);
    expect(a.auc + b.auc).toBeCloseTo(1, 12);
  });
  it('gives p = 1 when every value is tied', () => {
    expect(mannWhitney([5, 5, 5], [5, 5]).p).toBe(1);
  });
});

describe('exact tests', () => {
  it('Fisher exact, two-sided', () => {
    expect(fisherExact(3, 1, 1, 3)).toBeCloseTo(0.48571428571428565, 10);
    expect(fisherExact(20, 0, 0, 20) / 1.4508889103849688e-11).toBeCloseTo(1, 6);
    expect(fisherExact(7, 13, 0, 20)).toBeCloseTo(0.008316008316008316, 10);
    expect(fisherExact(10, 10, 10, 10)).toBeCloseTo(1, 10);
  });
  it('binomial, two-sided', () => {
    expect(binomialTwoSided(15, 20)).toBeCloseTo(0.04138946533203125, 10);
    expect(binomialTwoSided(2, 40) / 1.4933903003111482e-9).toBeCloseTo(1, 6);
    expect(binomialTwoSided(10, 20)).toBeCloseTo(1, 10);
  });
  it('log-gamma', () => {
    expect(logGamma(10.5)).toBeCloseTo(13.940625219403763, 10);
    expect(logGamma(0.3)).toBeCloseTo(1.0957979948180752, 10);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
  });
});

describe('quantiles', () => {
  it('are type 7 like numpy', () => {
    const q = quantiles([3, 1, 4, 1, 5, 9, 2, 6], [0.1, 0.5, 0.9]);
    expect(q[0]).toBeCloseTo(1, 12);
    expect(q[1]).toBeCloseTo(3.5, 12);
    expect(q[2]).toBeCloseTo(6.9, 12);
  });
});

function normalSample(n: number, mean: number, sd: number, r: SeededRandom): number[] {
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - r.float())) * Math.cos(2 * Math.PI * r.float()));
}

describe('bootstrap decile test', () => {
  it('finds a shift of 4 standard deviations of a quantile and reports its direction', () => {
    const r = new SeededRandom(1);
    const x = normalSample(400, 100, 10, r);
    const y = normalSample(400, 104, 10, r);
    const res = decileTest(x, y, { alpha: 1e-3, random: r });
    expect(res.p).toBeLessThan(1e-3);
    expect(res.rows.every((row) => row.diff > 0)).toBe(true);
    // The bootstrap SE of a median of 400 normals with sd 10 is about 1.25·10/√400 = 0.63.
    const mid = res.rows.find((row) => row.p === 0.5)!;
    expect(mid.se / Math.SQRT2).toBeGreaterThan(0.4);
    expect(mid.se / Math.SQRT2).toBeLessThan(0.9);
  });
  it('keeps its false-positive rate at α over 200 null comparisons', () => {
    const r = new SeededRandom(2);
    let hits = 0;
    for (let i = 0; i < 200; i++) {
      const res = decileTest(normalSample(100, 0, 1, r), normalSample(100, 0, 1, r), { alpha: 0.05, random: r, resamples: 100 });
      if (res.p < 0.05) hits++;
    }
    // Bonferroni over 10 quantiles is conservative: expect at most α·200 = 10 (and allow slack for chance).
    expect(hits).toBeLessThanOrEqual(16);
  });
  it('states a minimum detectable difference that shrinks like 1/√n', () => {
    const r = new SeededRandom(3);
    const small = decileTest(normalSample(100, 0, 1, r), normalSample(100, 0, 1, r), { alpha: 1e-3, random: r }).mdd;
    const big = decileTest(normalSample(1600, 0, 1, r), normalSample(1600, 0, 1, r), { alpha: 1e-3, random: r }).mdd;
    expect(small / big).toBeGreaterThan(2.5);
    expect(small / big).toBeLessThan(6);
  });
});

describe('timing verdict at a small look', () => {
  // Replies that sit at a floor and are 400 µs slower when sent first in their
  // pair; the order is random, and here the known request came first in 26
  // of 40 pairs. Nothing depends on the class, yet the deciles of the two
  // classes differ by a whole step with a tiny bootstrap error.
  const sample = (first: boolean, i: number): Sample => ({ cls: 'known', micros: 6000 + (first ? 400 : 0) + (i % 7) * 3, reply: { status: 200, headers: [], body: '' } });
  const known = Array.from({ length: 40 }, (_, i) => sample(i < 26, i));
  const unknown = Array.from({ length: 40 }, (_, i) => ({ ...sample(i >= 26, i), cls: 'unknown' as const }));

  it(`the quantile test alone would flag it, so below ${QUANTILE_TEST_MIN} replies per class only the rank tests decide`, () => {
    const alpha = 4e-5;
    expect(decileTest(known.map((s) => s.micros), unknown.map((s) => s.micros), { alpha, random: new SeededRandom(1) }).p).toBeLessThan(alpha);
    const time = analyze(known, unknown, alpha, new SeededRandom(1)).verdicts.find((v) => v.channel === 'time')!;
    expect(time.finding).toBe(false);
    expect(time.evidence.join('\n')).toContain(`not tested below ${QUANTILE_TEST_MIN}`);
  });
});

describe('sequential looks', () => {
  it('looks at 1/8, 1/4, 1/2 and all of the cap', () => {
    expect(lookSizes(1000)).toEqual([125, 250, 500, 1000]);
    expect(lookSizes(100)).toEqual([50, 100]);
    expect(lookSizes(30)).toEqual([30]);
  });
  it('spends α in proportion to information and never more than α', () => {
    const a = alphaPerLook(1e-3, [125, 250, 500, 1000]);
    expect(a[0]).toBeCloseTo(1.25e-4, 12);
    expect(a[3]).toBeCloseTo(5e-4, 12);
    expect(a.reduce((s, v) => s + v, 0)).toBeCloseTo(1e-3, 12);
  });
  it('peeking with the spent α keeps the false-positive rate at α (simulation)', () => {
    const r = new SeededRandom(4);
    const looks = lookSizes(160, 20);
    const alphas = alphaPerLook(0.05, looks);
    let falseAlarms = 0;
    for (let run = 0; run < 300; run++) {
      const x = normalSample(160, 0, 1, r);
      const y = normalSample(160, 0, 1, r);
      if (looks.some((n, k) => mannWhitney(x.slice(0, n), y.slice(0, n)).p < alphas[k]!)) falseAlarms++;
    }
    expect(falseAlarms / 300).toBeLessThan(0.08);
  });
});

describe('Wilcoxon signed-rank (paired differences)', () => {
  it('matches scipy (approx, continuity correction, zeros dropped)', () => {
    expect(signedRank([1.5, -0.5, 2, 3, -1, 4, 2.5, 0.5, 3.5, -2]).p).toBeCloseTo(0.08273102231510242, 6);
    const tied = signedRank([1, 1, 2, -1, 0, 3, 2, 2, -2, 4, 1, 0]);
    expect(tied.n).toBe(10);
    expect(tied.p).toBeCloseTo(0.0630226018309149, 6);
  });
  it('is two-sided and gives p = 1 with no information', () => {
    const a = signedRank([1, 2, 3, 4, 5, 6, 7, 8]);
    const b = signedRank([-1, -2, -3, -4, -5, -6, -7, -8]);
    expect(a.p).toBeCloseTo(b.p, 12);
    expect(a.z).toBeCloseTo(-b.z, 12);
    expect(signedRank([0, 0]).p).toBe(1);
  });
});
