import type { Random } from '../kernel/random.js';
import { AuditError } from './errors.js';
import { CONTENT_TESTS, ORDER_TESTS, TIME_TESTS, analyze } from './analyze.js';
import type { Analysis } from './analyze.js';
import { ProbeClient } from './client.js';
import { H2PairClient } from './h2.js';
import { H2Sampler } from './h2-sampler.js';
import { Sampler } from './sampler.js';
import { partNames } from './sequence.js';
import { fisherExact } from './stats/exact.js';
import { alphaPerLook, lookSizes } from './stats/sequential.js';
import type { AuditReport, EndpointReport, Probe } from './types.js';

export interface AuditOptions {
  alpha: number;
  /** Upper bound of samples per class and endpoint (a probe's own `samples` overrides it). */
  maxPerClass: number;
  warmup: number;
  paceMicros: number;
  h2: boolean;
  /** Stop an endpoint early once nothing was found and the minimum detectable difference is at most this (µs); 0: never. */
  resolutionMicros: number;
  timeoutMs: number;
  random: Random;
  /** Called after every sample: endpoint index, samples so far, the most this endpoint may take. */
  onProgress?: (endpoint: number, done: number, max: number) => void;
}

/** Share of 429/503 replies above which an audit that does not see a class difference gives up. */
const RATE_LIMIT_SHARE = 0.02;

/**
 * Runs every probe: samples in looks, decides each channel of each compared
 * reply (every compared step of a sequence and its observer) at the α the
 * look may spend (Bonferroni over everything compared × tests, then alpha
 * spending over looks), and stops an endpoint as soon as something is found.
 */
export async function runAudit(probes: readonly Probe[], opts: AuditOptions): Promise<AuditReport> {
  const startedAt = new Date().toISOString();
  const testsPerPart = CONTENT_TESTS + TIME_TESTS + (opts.h2 ? ORDER_TESTS : 0);
  const bonferroni = probes.reduce((n, p) => n + partNames(p).length, 0) * testsPerPart;
  const endpoints: EndpointReport[] = [];
  const client = new ProbeClient(opts.timeoutMs);
  try {
    for (const [index, probe] of probes.entries()) {
      const looks = lookSizes(probe.samples ?? opts.maxPerClass);
      const alphas = alphaPerLook(opts.alpha / bonferroni, looks);
      endpoints.push(await auditOne(probe, index, client, looks, alphas, opts));
    }
  } finally {
    client.close();
  }
  return {
    tool: 'hush audit',
    startedAt,
    finishedAt: new Date().toISOString(),
    alpha: opts.alpha,
    bonferroni,
    mode: opts.h2 ? 'h2' : 'http1',
    endpoints,
    finding: endpoints.some((e) => e.verdicts.some((v) => v.finding)),
  };
}

async function auditOne(probe: Probe, index: number, client: ProbeClient, looks: number[], alphas: number[], opts: AuditOptions): Promise<EndpointReport> {
  const h2 = opts.h2 ? await H2PairClient.connect(new URL(probe.url).origin, opts.timeoutMs) : undefined;
  const sampler = h2 !== undefined ? new H2Sampler(probe, h2, opts) : new Sampler(probe, { client, random: opts.random, warmup: opts.warmup, paceMicros: opts.paceMicros });
  const max = looks[looks.length - 1]!;
  try {
    await sampler.prepare();
    let results: { name: string | undefined; analysis: Analysis }[] = [];
    let look = 0;
    for (; look < looks.length; look++) {
      const n = looks[look]!;
      await sampler.fill(n, () => opts.onProgress?.(index, sampler.known.length, max));
      const order = sampler instanceof H2Sampler ? sampler.order : undefined;
      const parts = sampler instanceof H2Sampler ? [{ name: undefined, known: sampler.known, unknown: sampler.unknown }] : sampler.parts;
      results = parts.map((part) => ({ name: part.name, analysis: analyze(part.known.slice(0, n), part.unknown.slice(0, n), alphas[look]!, opts.random, order, part.name) }));
      // Only the first reply of a run says whether the target answers the audit at all: a later step's 429 is what a sequence probes.
      checkUsable(probe, results[0]!.analysis, look === looks.length - 1);
      const found = results.some((r) => r.analysis.verdicts.some((v) => v.finding));
      const fine = results.every((r) => r.analysis.timing.mddMicros <= opts.resolutionMicros);
      if (found || (opts.resolutionMicros > 0 && fine)) break;
    }
    const last = Math.min(look, looks.length - 1);
    const report: EndpointReport = {
      name: probe.name,
      method: probe.method,
      url: probe.url,
      samplesPerClass: looks[last]!,
      stoppedEarly: last < looks.length - 1,
      verdicts: results.flatMap((r) => r.analysis.verdicts),
      timing: results[0]!.analysis.timing,
    };
    if (results.length > 1) report.parts = results.map((r) => ({ name: r.name ?? probe.name, timing: r.analysis.timing }));
    return report;
  } finally {
    h2?.close();
  }
}

/**
 * An audit is only evidence if the target answered the probes. A target that
 * rate-limits both classes alike gives nothing to compare (exit 2); one that
 * limits only one class is a finding, which the status channel reports. Before
 * the last look, sampling goes on while the limited shares still look
 * different between the classes (the status test may need more samples).
 */
function checkUsable(probe: Probe, a: Analysis, lastLook: boolean): void {
  const status = a.verdicts.find((v) => v.channel === 'status');
  const { known, unknown, total } = a.limited;
  const share = (known.count + unknown.count) / total;
  if (share > RATE_LIMIT_SHARE && status?.finding !== true) {
    const alike = fisherExact(known.count, known.of - known.count, unknown.count, unknown.of - unknown.count) >= 0.05;
    if (alike || lastLook) {
      throw new AuditError(
        `${probe.name}: the target rate-limits the audit (${Math.round(share * 100)} % of ${total} replies were 429/503, ${alike ? 'alike for both classes' : 'not clearly different between the classes'}); turn its limits off for the audit or lower --samples`,
      );
    }
  }
  if (a.statuses.size > 0 && [...a.statuses].every((s) => s === 404 || s === 405)) {
    throw new AuditError(`${probe.name}: every probe got ${[...a.statuses].join('/')}; check the URL and method`);
  }
}
