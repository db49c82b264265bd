import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_TESTS, TIME_TESTS } from '../../src/audit/analyze.js';
import { hushSequenceProbes } from '../../src/audit/hush-probes.js';
import { partNames } from '../../src/audit/sequence.js';
import { hushProbes } from '../../src/audit/spec.js';
import type { AuditReport, Verdict } from '../../src/audit/types.js';
import { SeededRandom } from '../../src/kernel/random.js';

/**
 * `hush audit --hush` against hush as it was before the fixes of issue 13
 * (commit b1670a9^, `hush serve` with HUSH_POW=off HUSH_LIMITS=off
 * HUSH_TRUST_PROXY=1, two accounts made with `hush user add`), kept as the
 * regression sample of the sequence probes (docs/audit.md). Both leaks that
 * one request per identifier could not see are in it, on their part and
 * channel, with the evidence a person reads.
 */
const sample = (name: string): AuditReport => JSON.parse(readFileSync(join(import.meta.dirname, `../fixtures/${name}`), 'utf8')) as AuditReport;
const report = sample('audit-hush-before-issue-13.json');
/** The same audit (same flags, same kind of server) of this branch's hush, after the fixes. */
const after = sample('audit-hush-after-issue-13.json');

function verdict(endpoint: string, part: string, channel: string): Verdict {
  const e = report.endpoints.find((x) => x.name === endpoint);
  const v = e?.verdicts.find((x) => x.part === part && x.channel === channel);
  if (v === undefined) throw new Error(`no ${endpoint} / ${part} / ${channel} in the sample`);
  return v;
}

describe('the regression sample: hush before issue 13 under `hush audit --hush`', () => {
  it('was made with the probes --hush runs today (every compared reply, Bonferroni over all of them)', () => {
    const probes = [...hushProbes('http://127.0.0.1:1', ['a@example.com'], new SeededRandom(1)), ...hushSequenceProbes('http://127.0.0.1:1', ['a@example.com'])];
    expect(report.endpoints.map((e) => e.name)).toEqual(probes.map((p) => p.name));
    const parts = probes.reduce((n, p) => n + partNames(p).length, 0);
    expect(report.bonferroni).toBe(parts * (CONTENT_TESTS + TIME_TESTS));
    for (const e of report.endpoints) for (const v of e.verdicts) expect(v.alpha).toBeLessThanOrEqual(report.alpha / report.bonferroni);
  });

  it('finds the sign-up → login leak in the login step: 401 for a registered address, 403 "confirm first" for a new one', () => {
    expect(report.finding).toBe(true);
    const status = verdict('signup then login', 'step 2 (login)', 'status');
    expect(status.finding).toBe(true);
    expect(status.p!).toBeLessThan(status.alpha);
    expect(status.evidence.join('\n')).toMatch(/status: known "401" ×(\d+)\/\1 \| unknown "403" ×\d+\/\d+/);
    expect(verdict('signup then login', 'step 2 (login)', 'body').evidence.join('\n')).toContain('HUSH_VERIFY_FIRST');
    // The sign-up itself answered alike.
    for (const ch of ['status', 'headers', 'body']) expect(verdict('signup then login', 'step 1 (signup)', ch).finding).toBe(false);
  });

  it('finds the detection answer in the observer after a reset sweep: the difficulty was raised only when the last address was unknown', () => {
    const body = verdict('recovery sweep, identifier last', 'observer GET /v1/pow/challenge?action=recovery', 'body');
    expect(body.finding).toBe(true);
    expect(body.evidence.join('\n')).toMatch(/\$\.parameters\.data\.difficulty: known "50000" ×\d+\/\d+ \| unknown "200000"/);
    expect(body.evidence.join('\n')).toMatch(/difficulty since before the run: known "same" ×\d+\/\d+ \| unknown "changed by 150000"/);
    // The reset replies themselves were alike: only the sequence shows it.
    for (const ch of ['status', 'headers', 'body']) expect(verdict('recovery sweep, identifier last', 'step 6 (recovery)', ch).finding).toBe(false);
  });

  it('after the fixes, the same audit finds nothing, on any part or channel', () => {
    expect(after.endpoints.map((e) => e.name)).toEqual(report.endpoints.map((e) => e.name));
    expect(after.bonferroni).toBe(report.bonferroni);
    expect(after.endpoints.flatMap((e) => e.verdicts.filter((v) => v.finding).map((v) => `${e.name}/${v.part ?? ''}/${v.channel}`))).toEqual([]);
    expect(after.finding).toBe(false);
  });

  it('states, for every verdict that found nothing, the smallest difference it could have seen', () => {
    for (const e of [...report.endpoints, ...after.endpoints]) {
      for (const v of e.verdicts) {
        expect(v.smallest, `${e.name} ${v.part} ${v.channel}`).toMatch(/µs$|^a value in \d+ of \d+ replies/);
        if (!v.finding) expect(v.summary).toMatch(/would have seen|no difference above/);
      }
    }
  });
});
