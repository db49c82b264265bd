import { Agent, request } from 'node:http';
import { mannWhitney } from '../../src/audit/stats/mann-whitney.js';
import { median, quantileSorted, sortedCopy } from '../../src/audit/stats/quantile.js';
import { SeededRandom } from '../../src/kernel/random.js';

/**
 * A timing probe that works as an attacker would (issue 14): one keep-alive
 * connection, one request at a time, each round one request of every class
 * (a known and an unknown address, say) in a seeded random order, and right
 * after each probe a canary, the same cheap request every time, which
 * measures what the probe left behind on the server (work after its reply:
 * mail, detection, a query) rather than the probe's own reply. Many requests
 * in flight at once would average that away: the next request would be
 * someone else's.
 *
 * Both are timed from the first byte sent (the moment the agent hands the
 * request to its socket) to the last byte received, on the monotonic clock.
 */

/** One request of a probe or the canary. */
export interface ProbeRequest {
  method?: 'GET' | 'POST';
  path: string;
  /** A JSON body (POST). */
  body?: string;
}

/** A class of requests: `request(i)` is its i-th (from 0), so each can name a fresh address or token. */
export interface ProbeClass {
  name: string;
  request(i: number): ProbeRequest;
  /** A finer name for the i-th request (a class that alternates spent and expired tokens), to compare each part on its own too. */
  label?(i: number): string;
}

export interface ProbeOptions {
  base: URL;
  /** Two or more; compare them with `compareClasses`. */
  classes: readonly ProbeClass[];
  /** Rounds the statistics see: each sends one request of every class (a pair, for two classes). */
  rounds: number;
  /** Rounds before those, the same way, that the statistics do not see: JIT, connection, the floor learning the flow. */
  warmUpRounds?: number;
  /** Seeds the order inside each round, so a run can be repeated. */
  seed: number;
  /** Sent after every probe (default `GET /healthz`). */
  canary?: ProbeRequest;
  /** The run stops with an error past this (ms of wall time, warm-up included). */
  deadlineMs: number;
  /** A probe answered in less than this (ms) counts as early (HUSH_FLOOR_MIN; 0 counts none). */
  floorMs: number;
  /**
   * The floor (ms) the server will hold the next probe to, read just before it
   * is sent (white box: the envelope's `floorFor`). The floor follows the
   * flow's recent work and moves by milliseconds during a run, the same for
   * both classes but far more than the microseconds looked for; the
   * statistics then compare each probe's time above its own floor, which an
   * attacker facing a fixed floor (HUSH_FLOOR_MIN above the work) measures
   * directly. Nothing else runs a flow meanwhile, so the value read is the
   * one the envelope takes, except when the envelope refreshes its quantile
   * (at most once a second) between the read and the request's start: about
   * one probe in a thousand is then off by the floor's change, noise that
   * falls on both classes alike. Not a check of the release: that is
   * `floorMs`'s, and the envelope's own tests'.
   */
  floorOf?: () => number;
}

/** What one class got: times in µs, in the order sent. */
export interface ClassSample {
  /** Each probe's time, less its floor when `floorOf` is given. */
  probe: number[];
  /** Each probe's time as measured. */
  raw: number[];
  /** Each probe's label (the class's name when it has no `label`). */
  labels: string[];
  /** The canary sent right after each probe of this class. */
  canary: number[];
  /** The class of the probe sent just before each probe ('' for the first of the run). */
  after: string[];
  /** Probes by status: a run measures one path per class only if each class has one status. */
  statuses: Record<number, number>;
  /** Probes answered before `floorMs`. */
  early: number;
}

export interface ProbeRun {
  classes: Record<string, ClassSample>;
  /** Wall time of the whole run, warm-up included (ms). */
  ms: number;
}

/** One request over the agent, timed in µs from the first byte sent to the last byte received. */
export function timedRequest(agent: Agent, base: URL, r: ProbeRequest): Promise<{ status: number; us: number }> {
  return new Promise((resolve, reject) => {
    const body = r.body ?? '';
    const headers: Record<string, string | number> = r.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    let start = 0n;
    const req = request({ agent, host: base.hostname, port: base.port, path: r.path, method: r.method ?? (r.body === undefined ? 'GET' : 'POST'), headers }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, us: Number(process.hrtime.bigint() - start) / 1e3 }));
      res.on('error', reject);
    });
    // The agent hands its free socket over on a later tick and writes the buffered request right after
    // this event: starting here leaves the client's own queueing out of the measure.
    req.once('socket', () => (start = process.hrtime.bigint()));
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs the probe (see the top of this file). Never more than one request in flight. */
export async function runProbe(options: ProbeOptions): Promise<ProbeRun> {
  const { base, classes, rounds, floorMs } = options;
  if (classes.length < 2) throw new Error('a probe compares two classes or more');
  const canary = options.canary ?? { path: '/healthz' };
  const random = new SeededRandom(options.seed);
  // One socket: every request waits for the one before it, as a careful attacker's would.
  const agent = new Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 60_000 });
  const started = performance.now();
  const stopAt = started + options.deadlineMs;
  const out: Record<string, ClassSample> = Object.fromEntries(classes.map((c) => [c.name, { probe: [], raw: [], labels: [], canary: [], after: [], statuses: {}, early: 0 }]));
  const next = new Map(classes.map((c) => [c.name, 0]));
  const order = classes.map((_, i) => i);
  let previous = '';
  try {
    const warmUp = options.warmUpRounds ?? 0;
    for (let round = 0; round < warmUp + rounds; round++) {
      if (performance.now() > stopAt) throw new Error(`timing probe passed its deadline of ${options.deadlineMs} ms after ${round} of ${warmUp + rounds} rounds`);
      // Fisher-Yates: every order of the classes equally likely in every round.
      for (let i = order.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const k of order) {
        const c = classes[k]!;
        const i = next.get(c.name)!;
        next.set(c.name, i + 1);
        const request = c.request(i);
        const floor = options.floorOf?.() ?? 0;
        const p = await timedRequest(agent, base, request);
        const q = await timedRequest(agent, base, canary);
        const before = previous;
        previous = c.name;
        if (round < warmUp) continue;
        const s = out[c.name]!;
        s.after.push(before);
        s.raw.push(p.us);
        s.labels.push(c.label?.(i) ?? c.name);
        s.probe.push(p.us - floor * 1000);
        s.canary.push(q.us);
        s.statuses[p.status] = (s.statuses[p.status] ?? 0) + 1;
        if (p.us < floorMs * 1000) s.early++;
      }
    }
  } finally {
    agent.destroy();
  }
  return { classes: out, ms: performance.now() - started };
}

/** One channel (probe or canary) of one class against another. */
export interface ChannelComparison {
  /** Median of `a` minus median of `b`, µs. */
  medianDiffUs: number;
  /** Mann-Whitney z of `a` against `b` (positive: `a` slower). */
  z: number;
  p: number;
  /**
   * The shift the run would see half the time at |z| = 3.3: 3.3 × σ × √(2/n),
   * σ the pooled robust spread of the two classes (1.4826 × MAD, the standard
   * deviation for normal data, which ignores the long tail that timing data
   * has), n the smaller class. It is the standard error of a difference of two
   * means, scaled to the threshold; Mann-Whitney's efficiency is close to that
   * of the t test for such data, and better with a tail.
   */
  smallestDetectableUs: number;
  n: number;
}

export interface Comparison {
  probe: ChannelComparison;
  canary: ChannelComparison;
  /** Early probes of both classes. */
  early: number;
}

/** The z beyond which the probe calls two classes different (two-sided p ≈ 1e-3). */
export const Z_LIMIT = 3.3;

export function compareChannel(a: readonly number[], b: readonly number[]): ChannelComparison {
  const mw = mannWhitney(a, b);
  const sigma = Math.sqrt((robustSigma(a) ** 2 + robustSigma(b) ** 2) / 2);
  const n = Math.min(a.length, b.length);
  return { medianDiffUs: median(a) - median(b), z: mw.z, p: mw.p, smallestDetectableUs: n === 0 ? Number.NaN : Z_LIMIT * sigma * Math.sqrt(2 / n), n };
}

/** The probes of a class whose index passes `keep`, with their canaries, labels and predecessors (early replies stay with the whole class). */
function subset(s: ClassSample, keepIndex: (i: number) => boolean): ClassSample {
  const keep = <T>(xs: readonly T[]): T[] => xs.filter((_, i) => keepIndex(i));
  return { probe: keep(s.probe), raw: keep(s.raw), labels: keep(s.labels), canary: keep(s.canary), after: keep(s.after), statuses: s.statuses, early: 0 };
}

/** The part of a class with one label. */
export function labelled(s: ClassSample, label: string): ClassSample {
  return subset(s, (i) => s.labels[i] === label);
}

/**
 * The probes of a class sent right after a probe of class `before`. Work a
 * probe leaves behind falls on whatever request comes next, the next probe
 * included, and with the classes in random order inside each pair an unknown
 * probe follows a known one three times in four, a known probe one time in
 * four: so an attacker can read it from the probes themselves, by the class
 * of the probe before.
 */
export function precededBy(s: ClassSample, before: string): ClassSample {
  return subset(s, (i) => s.after[i] === before);
}

/** Class `a` against class `b`, on both channels. */
export function compareClasses(a: ClassSample, b: ClassSample): Comparison {
  return { probe: compareChannel(a.probe, b.probe), canary: compareChannel(a.canary, b.canary), early: a.early + b.early };
}

/** 1.4826 × the median absolute deviation: σ for normal data, and not moved by a tail of slow replies. */
export function robustSigma(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const m = median(xs);
  return 1.4826 * median(xs.map((x) => Math.abs(x - m)));
}

/** A quantile of a sample (type 7). */
export function quantile(xs: readonly number[], q: number): number {
  return quantileSorted(sortedCopy(xs), q);
}

/** One line: median difference, z, canary z, smallest detectable difference, early replies. */
export function describeComparison(label: string, c: Comparison): string {
  const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  return (
    `${label}: n=${c.probe.n} median diff ${f(c.probe.medianDiffUs)} µs z=${f(c.probe.z, 2)}` +
    ` | canary diff ${f(c.canary.medianDiffUs)} µs z=${f(c.canary.z, 2)}` +
    ` | smallest detectable ${f(c.probe.smallestDetectableUs)} µs (canary ${f(c.canary.smallestDetectableUs)} µs) | early ${c.early}`
  );
}
