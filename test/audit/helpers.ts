import { runAudit } from '../../src/audit/audit.js';
import type { AuditOptions } from '../../src/audit/audit.js';
import type { AuditReport, Probe } from '../../src/audit/types.js';
import { cryptoRandom } from '../../src/kernel/random.js';

export const KNOWN = ['alice@example.com', 'bob@example.com'];

export function loginProbe(url: string, overrides: Partial<Probe> = {}): Probe {
  return {
    name: 'login',
    url,
    method: 'POST',
    headers: [],
    body: { kind: 'json', template: '{"email":"{{id}}","password":"correct horse battery staple"}' },
    known: KNOWN,
    ...overrides,
  };
}

/** Small caps so the suite stays fast on a shared 2-core machine; the benchmark covers the real sample sizes. */
export function audit(probes: Probe[], opts: Partial<AuditOptions> = {}): Promise<AuditReport> {
  return runAudit(probes, {
    alpha: 1e-3,
    maxPerClass: 160,
    warmup: 5,
    paceMicros: 0,
    h2: false,
    resolutionMicros: 0,
    timeoutMs: 5000,
    random: cryptoRandom,
    ...opts,
  });
}

export function findings(report: AuditReport): string[] {
  return report.endpoints.flatMap((e) => e.verdicts.filter((v) => v.finding).map((v) => v.channel));
}

export function verdict(report: AuditReport, channel: string): { finding: boolean; evidence: string[]; summary: string } {
  const v = report.endpoints[0]!.verdicts.find((x) => x.channel === channel);
  if (v === undefined) throw new Error(`no ${channel} verdict`);
  return v;
}
