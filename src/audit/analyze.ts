import type { Random } from '../kernel/random.js';
import { compareContent } from './compare.js';
import type { ChannelComparison } from './compare.js';
import { decileTest } from './stats/decile-test.js';
import { binomialTwoSided, fisherExact } from './stats/exact.js';
import { mannWhitney } from './stats/mann-whitney.js';
import { signedRank } from './stats/signed-rank.js';
import { median } from './stats/quantile.js';
import type { Sample, TimingSummary, Verdict } from './types.js';

/** Tests run per endpoint; Bonferroni divides α by this times the number of endpoints. */
export const CONTENT_TESTS = 3;
export const TIME_TESTS = 3;
export const ORDER_TESTS = 1;

/**
 * Replies per class from which the bootstrap quantile test takes part. Below
 * it a decile is the 4th or 5th order statistic and its bootstrap standard
 * error is too coarse for a normal tail at audit α: replies that cluster at a
 * floor and move with the order inside a pair gave false findings at 40 (the
 * rank tests, valid at any size, decide alone until then).
 */
export const QUANTILE_TEST_MIN = 100;

/** Replies per class the content channels compare: enough for exact tests, bounded in memory and time. */
export const CONTENT_CAP = 200;

export interface OrderCounts {
  pairs: number;
  knownFirst: number;
}

export interface Analysis {
  verdicts: Verdict[];
  timing: TimingSummary;
  /** Replies that were 429 or 503, per class. */
  limited: { known: { count: number; of: number }; unknown: { count: number; of: number }; total: number };
  /** Every status code seen. */
  statuses: Set<number>;
}

/**
 * Decides every channel of one compared reply (a step or the observer) at one
 * look, each test at `alpha` (already corrected); `part` names the reply in
 * every verdict and in its evidence.
 */
export function analyze(known: readonly Sample[], unknown: readonly Sample[], alpha: number, random: Random, order?: OrderCounts, part?: string): Analysis {
  const kc = known.slice(0, CONTENT_CAP);
  const uc = unknown.slice(0, CONTENT_CAP);
  const content = compareContent(
    kc.map((s) => s.reply),
    uc.map((s) => s.reply),
  );
  const verdicts = content.map((c) => contentVerdict(c, alpha, Math.min(kc.length, uc.length)));
  const kt = known.map((s) => s.micros);
  const ut = unknown.map((s) => s.micros);
  const mw = mannWhitney(ut, kt);
  const dec = decileTest(kt, ut, { alpha, random });
  // The samplers push one known and one unknown per block, so index i is a pair sent back to back.
  const paired = signedRank(ut.map((u, i) => u - (kt[i] ?? u)));
  const medianDiff = median(ut) - median(kt);
  const timing: TimingSummary = {
    known: kt,
    unknown: ut,
    mddMicros: dec.mdd,
    medianDiffMicros: medianDiff,
    mannWhitney: { z: mw.z, p: mw.p, auc: mw.auc },
    signedRank: { z: paired.z, p: paired.p, pairs: paired.n },
    deciles: dec.rows.map((r) => ({ p: r.p, known: r.x, unknown: r.y, diff: r.diff, se: r.se, pValue: r.pValue })),
  };
  const quantilesCount = kt.length >= QUANTILE_TEST_MIN && ut.length >= QUANTILE_TEST_MIN;
  const pTime = Math.min(mw.p, paired.p, quantilesCount ? dec.p : 1);
  let finding = pTime < alpha;
  const slower = medianDiff > 0 ? 'unknown identifiers are slower' : 'known identifiers are slower';
  const evidence = [
    `median known ${fmt(median(kt))} µs, unknown ${fmt(median(ut))} µs (difference ${fmt(medianDiff)} µs)`,
    `Mann-Whitney U: z = ${mw.z.toFixed(2)}, p = ${mw.p.toExponential(2)}, P(unknown slower) = ${mw.auc.toFixed(3)}`,
    `Wilcoxon signed-rank on ${paired.n} back-to-back pairs: z = ${paired.z.toFixed(2)}, p = ${paired.p.toExponential(2)}`,
    `bootstrap quantiles${quantilesCount ? '' : ` (shown, not tested below ${QUANTILE_TEST_MIN} replies per class)`}: p = ${dec.p.toExponential(2)}; ${dec.rows.map((r) => `q${Math.round(r.p * 100)} ${signed(r.diff)}±${fmt(r.se)}`).join(', ')}`,
  ];
  let test = 'Mann-Whitney U + paired signed-rank + bootstrap quantiles (two-sided)';
  let p = pTime;
  if (order !== undefined) {
    const po = binomialTwoSided(order.knownFirst, order.pairs);
    timing.order = { pairs: order.pairs, knownFirst: order.knownFirst, p: po };
    evidence.push(`HTTP/2 response order: known answered first in ${order.knownFirst} of ${order.pairs} pairs, binomial p = ${po.toExponential(2)}`);
    test += ' + HTTP/2 response order (binomial)';
    p = Math.min(p, po);
    finding ||= po < alpha;
  }
  verdicts.push({
    channel: 'time',
    finding,
    test,
    p,
    alpha,
    summary: finding
      ? `timing differs: ${slower} by about ${fmt(Math.abs(medianDiff))} µs at the median`
      : `no difference above ${fmt(dec.mdd)} µs (95 % power at α = ${alpha.toExponential(1)})`,
    evidence,
    smallest: `${fmt(dec.mdd)} µs`,
  });
  if (part !== undefined) {
    for (const v of verdicts) {
      v.part = part;
      if (v.finding) v.evidence.unshift(`in ${part}`);
    }
  }
  const isLimited = (s: Sample): boolean => s.reply.status === 429 || s.reply.status === 503;
  return {
    verdicts,
    timing,
    limited: { known: { count: known.filter(isLimited).length, of: known.length }, unknown: { count: unknown.filter(isLimited).length, of: unknown.length }, total: known.length + unknown.length },
    statuses: new Set([...known, ...unknown].map((s) => s.reply.status)),
  };
}

function contentVerdict(c: ChannelComparison, alpha: number, n: number): Verdict {
  const finding = c.p < alpha;
  const differing = finding ? c.keys.filter((k, i) => i === 0 || k.p < alpha) : [];
  const evidence: string[] = [];
  for (const k of differing.slice(0, 6)) {
    evidence.push(`${k.key}: known ${top(k.known)} | unknown ${top(k.unknown)}`);
    for (const line of k.diff.slice(0, 3)) evidence.push(`  ${line}`);
  }
  if (c.masked.length > 0) evidence.push(`varies within each class (compared by shape only): ${c.masked.slice(0, 8).join(', ')}`);
  const worst = c.keys[0];
  const least = smallestCount(n, alpha, c.tests);
  const smallest = least === undefined ? `nothing: ${n} replies per class are too few at this α` : `a value in ${least} of ${n} replies of one class and none of the other`;
  return {
    channel: c.channel,
    finding,
    test: 'Fisher exact per value, within-class variation masked',
    p: worst === undefined ? 1 : c.p,
    alpha,
    summary: finding
      ? `${c.channel} differ: ${differing.map((k) => k.key).slice(0, 4).join(', ')}`
      : `identical after masking within-class variation${c.masked.length > 0 ? ` (${c.masked.slice(0, 3).join(', ')})` : ''}; would have seen ${smallest}`,
    evidence,
    smallest,
  };
}

/**
 * The content channels' smallest detectable difference: the fewest replies of
 * one class (of n) that must carry a value the other class never shows for
 * the channel's test (Fisher, Bonferroni over its values and keys) to fall
 * below α. A sometimes-different reply rarer than that goes unseen.
 */
export function smallestCount(n: number, alpha: number, tests: number): number | undefined {
  for (let a = 1; a <= n; a++) if (Math.min(1, fisherExact(a, n - a, 0, n) * 2) * tests < alpha) return a;
  return undefined;
}

function top(values: readonly [string, number][]): string {
  const total = values.reduce((a, [, n]) => a + n, 0);
  return values
    .slice(0, 2)
    .map(([v, n]) => `${JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v)} ×${n}/${total}`)
    .join(', ');
}

export function fmt(micros: number): string {
  const a = Math.abs(micros);
  return a >= 100 ? micros.toFixed(0) : a >= 10 ? micros.toFixed(1) : micros.toFixed(2);
}

function signed(micros: number): string {
  return `${micros >= 0 ? '+' : ''}${fmt(micros)}`;
}
