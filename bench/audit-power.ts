/**
 * `npm run bench -- audit-power [--budget-s 600]`: on loopback, how many
 * samples per class `hush audit`'s timing tests need to see a delay of D µs
 * with 95 % power at α = 1e-3, and the false-positive rate of the whole audit
 * over 50 runs with no leak. The calibration server runs in its own process
 * (as a real target would) and busy-waits D µs for known identifiers.
 *
 * Power is estimated by subsampling: one pool of interleaved samples per D,
 * then 30 random subsamples of n pairs each; n doubles until ≥ 95 % of them
 * detect the delay, then one bisection step refines it. The pool grows so that
 * n stays at most half of it (less overlap between subsamples).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { runAudit } from '../src/audit/audit.js';
import { ProbeClient } from '../src/audit/client.js';
import { Sampler } from '../src/audit/sampler.js';
import { QUANTILE_TEST_MIN } from '../src/audit/analyze.js';
import { decileTest } from '../src/audit/stats/decile-test.js';
import { mannWhitney } from '../src/audit/stats/mann-whitney.js';
import { median } from '../src/audit/stats/quantile.js';
import { signedRank } from '../src/audit/stats/signed-rank.js';
import type { Probe } from '../src/audit/types.js';
import { SeededRandom, cryptoRandom } from '../src/kernel/random.js';

const ALPHA = 1e-3;
const POWER = 0.95;
const TRIALS = 30;
const DELAYS = [1000, 100, 20, 5, 1];
const MAX_POOL = 40_000;
const FP_RUNS = 50;
const budgetArg = process.argv.indexOf('--budget-s');
const deadline = performance.now() + 1000 * (budgetArg > 0 ? Number(process.argv[budgetArg + 1]) : 900);
const known = ['alice@example.com', 'bob@example.com'];
const random = new SeededRandom(20_261_122);

const root = join(import.meta.dirname, '..');
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/audit/serve-leaky.ts'), '{"kind":"none"}'], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
async function nextUrl(): Promise<string> {
  const r = await lines.next();
  if (r.done === true) throw new Error('calibration server exited');
  return r.value;
}
let url = await nextUrl();
async function setLeak(leak: object): Promise<void> {
  child.stdin.write(`${JSON.stringify(leak)}\n`);
  url = await nextUrl();
}

const probe = (): Probe => ({ name: 'login', url, method: 'POST', headers: [], body: { kind: 'json', template: '{"email":"{{id}}","password":"x"}' }, known });

/** The audit's time channel at α: its three tests, each at α/3 (Bonferroni), the quantile test from QUANTILE_TEST_MIN replies per class. Pairs stay pairs. */
function detects(k: number[], u: number[]): boolean {
  const a = ALPHA / 3;
  if (mannWhitney(u, k).p < a) return true;
  if (signedRank(u.map((v, i) => v - k[i]!)).p < a) return true;
  if (k.length < QUANTILE_TEST_MIN || u.length < QUANTILE_TEST_MIN) return false;
  return decileTest(k, u, { alpha: a, random, resamples: 100 }).p < a;
}

function power(pool: { k: number[]; u: number[] }, n: number): number {
  let hits = 0;
  const m = pool.k.length;
  for (let t = 0; t < TRIALS; t++) {
    const idx = Array.from({ length: m }, (_, i) => i);
    for (let i = 0; i < n; i++) {
      const j = i + random.int(m - i);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const pick = idx.slice(0, n);
    if (detects(pick.map((i) => pool.k[i]!), pick.map((i) => pool.u[i]!))) hits++;
  }
  return hits / TRIALS;
}

async function samplesNeeded(delay: number): Promise<{ n: number | null; pool: number; medianDiff: number }> {
  await setLeak({ kind: 'delay', micros: delay, slower: 'known' });
  const client = new ProbeClient();
  const sampler = new Sampler(probe(), { client, random: cryptoRandom, warmup: 100, paceMicros: 0 });
  await sampler.prepare();
  const pool = { k: [] as number[], u: [] as number[] };
  const grow = async (size: number): Promise<void> => {
    await sampler.fill(size);
    pool.k = sampler.known.map((s) => s.micros);
    pool.u = sampler.unknown.map((s) => s.micros);
  };
  let n = 10;
  let lastMiss = 0;
  try {
    for (;;) {
      if (performance.now() > deadline) return { n: null, pool: pool.k.length, medianDiff: median(pool.k) - median(pool.u) };
      if (pool.k.length < 2 * n) {
        if (2 * n > MAX_POOL) return { n: null, pool: pool.k.length, medianDiff: median(pool.k) - median(pool.u) };
        await grow(Math.max(2 * n, 2000));
      }
      if (power(pool, n) >= POWER) break;
      lastMiss = n;
      n *= 2;
    }
    // One bisection step between the last miss and the first hit.
    const mid = Math.round((lastMiss + n) / 2);
    if (lastMiss > 0 && power(pool, mid) >= POWER) n = mid;
    return { n, pool: pool.k.length, medianDiff: median(pool.k) - median(pool.u) };
  } finally {
    client.close();
  }
}

process.stdout.write(`audit-power: samples per class for ${POWER * 100} % power at α = ${ALPHA} (loopback, server in its own process, ${TRIALS} subsamples per point)\n`);
const needed = new Map<number, number | null>();
for (const d of DELAYS) {
  const started = performance.now();
  const r = await samplesNeeded(d);
  needed.set(d, r.n);
  process.stdout.write(
    `  D = ${String(d).padStart(4)} µs: ${r.n === null ? `not reached within ${r.pool} samples per class` : `${r.n} samples per class`}  (measured median shift ${r.medianDiff.toFixed(1)} µs, pool ${r.pool}, ${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
  );
}

/**
 * False positives of the whole audit (all channels, sequential looks), twice:
 * against the calibration server with every leak off, and against the same
 * server told never to read the identifier (A/A: nothing can differ by class,
 * so any finding there is the auditor's own error).
 */
async function falsePositives(setting: object, label: string): Promise<{ found: number; runs: number }> {
  await setLeak(setting);
  let found = 0;
  let runs = 0;
  const started = performance.now();
  for (; runs < FP_RUNS && performance.now() < deadline + 120_000; runs++) {
    const report = await runAudit([probe()], { alpha: ALPHA, maxPerClass: 500, warmup: 20, paceMicros: 0, h2: false, resolutionMicros: 0, timeoutMs: 10_000, random: cryptoRandom });
    if (report.finding) {
      found++;
      process.stdout.write(`    finding (${label}): ${report.endpoints[0]!.verdicts.filter((v) => v.finding).map((v) => `${v.channel}: ${v.summary}`).join('; ')}\n`);
    }
  }
  process.stdout.write(`  false positives, ${label}: ${found} of ${runs} full audits (500 samples per class, all channels, α = ${ALPHA}; ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  return { found, runs };
}
const aa = await falsePositives({ kind: 'none', blind: true }, 'A/A (server never reads the identifier)');
const off = await falsePositives({ kind: 'none' }, 'calibration server, every leak off');
process.stdout.write('  targets: 20 µs within 500 samples per class, 5 µs within 5,000; anchor (Van Goethem et al.): 5 µs in ~42 sequential requests on localhost, ~52 HTTP/2 pairs over the Internet\n');
child.kill();

const base = needed.get(1000);
const show = (d: number): string => (needed.get(d) === null || needed.get(d) === undefined ? `>${MAX_POOL / 2}` : String(needed.get(d)));
const ratio = base !== null && base !== undefined && needed.get(20) !== null && needed.get(20) !== undefined ? (needed.get(20)! / base).toFixed(1) : 'n/a';
process.stdout.write(`audit-power: ${show(20)} samples per class for 20 µs, ${show(5)} for 5 µs, FP A/A ${aa.found}/${aa.runs}, leaks-off ${off.found}/${off.runs} (baseline 1000 µs: ${show(1000)}; 20 µs/baseline ratio ${ratio})\n`);
